/**
 * Elyra pipelines: the `.pipeline` file type (unless Elyra registered it),
 * "Open With > Pipeline Editor" importing one into a new `.orchest` file, and
 * "Export as Elyra Pipeline" for the pipeline being edited.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, showErrorMessage } from '@jupyterlab/apputils';

import { IPipelineEditorTracker } from '../editorTracker';
import { pipelineIcon } from '../icons';
import {
  CommandIDs,
  ELYRA_FILE_TYPE,
  ELYRA_IMPORT_FACTORY,
  PALETTE_CATEGORY,
  PIPELINE_FACTORY
} from '../ids';
import { errorMessage } from '../model/errorMessage';
import { baseName } from '../model/paths';
import { ELYRA_FILE_EXTENSION } from '../model/unmapped';
import { IOrchestLabAPI } from '../tokens';
import { ElyraImportFactory, showConversion } from '../widgets/ElyraImport';

export const elyraPlugin: JupyterFrontEndPlugin<void> = {
  id: 'orchest-lab:elyra',
  description:
    'Opens Elyra pipelines (.pipeline) in the pipeline editor by importing them, and exports pipelines to Elyra.',
  autoStart: true,
  requires: [IOrchestLabAPI, IPipelineEditorTracker],
  optional: [ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    api: IOrchestLabAPI,
    tracker: IPipelineEditorTracker,
    palette: ICommandPalette | null
  ): void => {
    const { commands, docRegistry, shell } = app;

    // With Elyra installed, `.pipeline` already has a file type (and Elyra's
    // own editor): ours then joins it under a label of its own.
    const existing = docRegistry
      .getFileTypesForPath(`x${ELYRA_FILE_EXTENSION}`)
      .find(type => type.extensions.includes(ELYRA_FILE_EXTENSION));
    if (!existing) {
      docRegistry.addFileType({
        name: ELYRA_FILE_TYPE,
        displayName: 'Elyra Pipeline',
        extensions: [ELYRA_FILE_EXTENSION],
        mimeTypes: ['application/json'],
        fileFormat: 'text',
        contentType: 'file',
        icon: pipelineIcon
      });
    }
    docRegistry.addWidgetFactory(
      new ElyraImportFactory({
        name: ELYRA_IMPORT_FACTORY,
        label: existing ? 'Pipeline Editor (orchest-lab)' : 'Pipeline Editor',
        fileTypes: [existing?.name ?? ELYRA_FILE_TYPE],
        importPipeline: path => api.pipelines.importElyra(path),
        openPipeline: path =>
          commands.execute('docmanager:open', {
            path,
            factory: PIPELINE_FACTORY
          })
      })
    );

    const current = () => {
      const widget = tracker.currentWidget;
      return widget && widget === shell.currentWidget ? widget : null;
    };
    commands.addCommand(CommandIDs.exportElyra, {
      label: 'Export as Elyra Pipeline',
      caption:
        'Write the pipeline as an Elyra pipeline (.pipeline) beside it, and show what did not map',
      isEnabled: () => current() !== null,
      execute: async () => {
        const widget = current();
        if (!widget) {
          return;
        }
        const source = baseName(widget.context.path);
        try {
          if (widget.context.model.dirty) {
            await widget.context.save(); // the server exports the file on disk
          }
          const conversion = await api.pipelines.exportElyra(
            widget.context.path
          );
          await showConversion(
            `Exported ${source} as ${baseName(conversion.path)}`,
            conversion,
            source
          );
        } catch (reason) {
          await showErrorMessage(
            `Cannot export ${source}`,
            errorMessage(reason)
          );
        }
      }
    });
    palette?.addItem({
      command: CommandIDs.exportElyra,
      category: PALETTE_CATEGORY
    });
  }
};
