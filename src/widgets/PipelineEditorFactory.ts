/**
 * The "Pipeline Editor" widget factory: opens `.orchest` files (on the
 * standard text model) in a {@link PipelineEditor} inside a DocumentWidget.
 */
import {
  ABCWidgetFactory,
  DocumentRegistry,
  DocumentWidget,
  IDocumentWidget
} from '@jupyterlab/docregistry';
import { ToolbarButton, refreshIcon } from '@jupyterlab/ui-components';

import { OrchestLabAPI } from '../api';
import { fitViewIcon, pipelineIcon } from '../icons';
import { IPipelineEditorSettings, PipelineEditor } from './PipelineEditor';

/** A document widget showing a pipeline editor. */
export type PipelineEditorDocument = IDocumentWidget<
  PipelineEditor,
  DocumentRegistry.IModel
>;

/** The toolbar of a pipeline editor document. */
export function pipelineToolbar(
  widget: PipelineEditorDocument
): DocumentRegistry.IToolbarItem[] {
  return [
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
  ];
}

/** Creates pipeline editors. */
export class PipelineEditorFactory extends ABCWidgetFactory<PipelineEditorDocument> {
  constructor(options: PipelineEditorFactory.IOptions) {
    super({ toolbarFactory: pipelineToolbar, ...options });
    this._api = options.api;
    this._settings = options.settings;
    this._openLocation = options.openLocation;
  }

  protected createNewWidget(
    context: DocumentRegistry.Context
  ): PipelineEditorDocument {
    const content = new PipelineEditor({
      context,
      api: this._api,
      settings: this._settings(),
      openLocation: this._openLocation
    });
    const widget = new DocumentWidget({ content, context });
    widget.addClass('orchest-lab-PipelineEditorDocument');
    widget.title.icon = pipelineIcon;
    return widget;
  }

  private _api: OrchestLabAPI;
  private _settings: () => IPipelineEditorSettings;
  private _openLocation?: PipelineEditor.OpenLocation;
}

export namespace PipelineEditorFactory {
  export interface IOptions extends DocumentRegistry.IWidgetFactoryOptions<PipelineEditorDocument> {
    api: OrchestLabAPI;
    /** The current user settings. */
    settings: () => IPipelineEditorSettings;
    /** Opens the pipeline's text at a line and column. */
    openLocation?: PipelineEditor.OpenLocation;
  }
}
