/**
 * "New Pipeline": the command, its Launcher tile and palette entry. The
 * File > New menu item and the file browser context menu entry are declared
 * in `schema/plugin.json`.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, showErrorMessage } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ILauncher } from '@jupyterlab/launcher';
import { Contents } from '@jupyterlab/services';

import { pipelineIcon } from '../icons';
import { PIPELINE_FILE_EXTENSION, newPipelineContent } from '../model/pipeline';
import { CommandIDs, PALETTE_CATEGORY, PIPELINE_FACTORY } from '../ids';

export const newPipelinePlugin: JupyterFrontEndPlugin<void> = {
  id: 'orchest-lab:new-pipeline',
  description:
    'Creates new pipeline files from the launcher, the menus and the palette.',
  autoStart: true,
  optional: [ILauncher, ICommandPalette, IDefaultFileBrowser],
  activate: (
    app: JupyterFrontEnd,
    launcher: ILauncher | null,
    palette: ICommandPalette | null,
    browser: IDefaultFileBrowser | null
  ): void => {
    const { commands, serviceManager } = app;

    commands.addCommand(CommandIDs.newPipeline, {
      label: args =>
        args.isPalette || args.isContextMenu ? 'New Pipeline' : 'Pipeline',
      caption: 'Create a new Orchest pipeline',
      icon: args => (args.isPalette ? undefined : pipelineIcon),
      execute: async args => {
        // The launcher passes its folder; menus use the file browser's.
        const cwd =
          typeof args.cwd === 'string' ? args.cwd : (browser?.model.path ?? '');
        let model: Contents.IModel | undefined;
        try {
          model = (await commands.execute('docmanager:new-untitled', {
            path: cwd,
            type: 'file',
            ext: PIPELINE_FILE_EXTENSION
          })) as Contents.IModel | undefined;
          if (!model) {
            return;
          }
          await serviceManager.contents.save(model.path, {
            type: 'file',
            format: 'text',
            content: newPipelineContent(model.path)
          });
        } catch (reason) {
          const where = model ? model.path : cwd || 'the server root';
          await showErrorMessage(
            `Could not create a pipeline in ${where}`,
            reason as Error
          );
          return;
        }
        return commands.execute('docmanager:open', {
          path: model.path,
          factory: PIPELINE_FACTORY
        });
      }
    });

    launcher?.add({
      command: CommandIDs.newPipeline,
      category: 'Other',
      // After the built-in file creators: the first tile's icon heads the section.
      rank: 4
    });
    palette?.addItem({
      command: CommandIDs.newPipeline,
      category: PALETTE_CATEGORY,
      args: { isPalette: true }
    });
  }
};
