/**
 * The "Pipeline Editor" widget factory: opens `.orchest` files (on the
 * standard text model) in a {@link PipelineEditor} inside a DocumentWidget,
 * with a toolbar of the editor's commands (their buttons follow the
 * commands' enabled state: nothing selected, nothing running, ...).
 */
import {
  ABCWidgetFactory,
  DocumentRegistry,
  DocumentWidget,
  IDocumentWidget
} from '@jupyterlab/docregistry';
import {
  CommandToolbarButton,
  Toolbar,
  ToolbarButton,
  refreshIcon
} from '@jupyterlab/ui-components';
import { Contents } from '@jupyterlab/services';
import { CommandRegistry } from '@lumino/commands';
import { Widget } from '@lumino/widgets';

import { fitViewIcon, pipelineIcon } from '../icons';
import { CommandIDs } from '../ids';
import { IOrchestLabAPI, IRunsModel } from '../tokens';
import { IEditorServices } from './PipelineEditing';
import { IPipelineEditorSettings } from '../model/editorSettings';
import { PipelineEditor } from './PipelineEditor';

/** A document widget showing a pipeline editor. */
export type PipelineEditorDocument = IDocumentWidget<
  PipelineEditor,
  DocumentRegistry.IModel
>;

/** Toolbar items that run commands, by name. */
const COMMAND_ITEMS: [string, string, string?][] = [
  ['run-all', CommandIDs.runAll, 'Run all'],
  ['run-selected', CommandIDs.runSelected, 'Selected'],
  ['run-incoming', CommandIDs.runIncoming, 'Incoming'],
  ['run-downstream', CommandIDs.runDownstream, 'Downstream'],
  ['cancel-run', CommandIDs.cancelRun, 'Cancel'],
  ['create-job', CommandIDs.createJob, 'Create Job…'],
  ['separator-1', ''],
  ['new-step', CommandIDs.newStep],
  ['add-note', CommandIDs.addNote],
  ['auto-layout', CommandIDs.autoLayout]
];

/** The toolbar of a pipeline editor document. */
export function pipelineToolbar(
  widget: PipelineEditorDocument,
  commands: CommandRegistry | null
): DocumentRegistry.IToolbarItem[] {
  const items: DocumentRegistry.IToolbarItem[] = [];
  if (commands) {
    for (const [name, id, label] of COMMAND_ITEMS) {
      if (!id) {
        const gap = new Widget();
        gap.addClass('orchest-lab-Toolbar-gap');
        items.push({ name, widget: gap });
        continue;
      }
      items.push({
        name,
        widget: new CommandToolbarButton({
          commands,
          id,
          label: label ?? '',
          args: { toolbar: true, widgetId: widget.id }
        })
      });
    }
  }
  items.push(
    {
      name: 'fit-view',
      widget: new ToolbarButton({
        icon: fitViewIcon,
        tooltip: 'Fit the pipeline into view',
        onClick: () => widget.content.fitView()
      })
    },
    {
      name: 'validate',
      widget: new ToolbarButton({
        icon: refreshIcon,
        tooltip: 'Validate the pipeline again',
        onClick: () => void widget.content.validate()
      })
    }
  );
  if (commands) {
    items.push({ name: 'spacer', widget: Toolbar.createSpacerItem() });
    const toggle = new CommandToolbarButton({
      commands,
      id: CommandIDs.toggleProperties,
      label: 'Properties',
      args: { toolbar: true, widgetId: widget.id }
    });
    items.push({ name: 'properties', widget: toggle });
  }
  return items;
}

/** Creates pipeline editors. */
export class PipelineEditorFactory extends ABCWidgetFactory<PipelineEditorDocument> {
  constructor(options: PipelineEditorFactory.IOptions) {
    super({
      toolbarFactory: widget =>
        pipelineToolbar(
          widget as PipelineEditorDocument,
          options.commands ?? null
        ),
      ...options
    });
    this._options = options;
  }

  protected createNewWidget(
    context: DocumentRegistry.Context
  ): PipelineEditorDocument {
    const options = this._options;
    const content = new PipelineEditor({
      context,
      api: options.api,
      runs: options.runs ?? null,
      settings: options.settings(),
      openLocation: options.openLocation,
      contents: options.contents,
      services: options.services
    });
    const widget = new DocumentWidget({ content, context });
    widget.addClass('orchest-lab-PipelineEditorDocument');
    widget.title.icon = pipelineIcon;
    return widget;
  }

  private _options: PipelineEditorFactory.IOptions;
}

export namespace PipelineEditorFactory {
  export interface IOptions extends DocumentRegistry.IWidgetFactoryOptions<PipelineEditorDocument> {
    api: IOrchestLabAPI;
    runs?: IRunsModel | null;
    /** The current user settings. */
    settings: () => IPipelineEditorSettings;
    /** Opens the pipeline's text at a line and column. */
    openLocation?: PipelineEditor.OpenLocation;
    /** What editors ask of the application. */
    services?: IEditorServices;
    /** Saved files refresh the editors' outputs freshness. */
    contents?: Contents.IManager;
    /** For the toolbar's command buttons. */
    commands?: CommandRegistry;
  }
}
