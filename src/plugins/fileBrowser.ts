/**
 * "Add to Pipeline" in the file browser's context menu (for notebooks and
 * scripts): adds the selected files as steps of the pipeline last used.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';

import { pipelineIcon } from '../icons';
import { isStepFile } from '../model/edits';
import { baseName } from '../model/paths';
import { IPipelineEditorTracker } from '../editorTracker';
import { CommandIDs } from '../ids';

export const fileBrowserPlugin: JupyterFrontEndPlugin<void> = {
  id: 'orchest-lab:file-browser',
  description:
    'Adds notebooks and scripts to a pipeline from the file browser.',
  autoStart: true,
  requires: [IPipelineEditorTracker],
  optional: [IDefaultFileBrowser],
  activate: (
    app: JupyterFrontEnd,
    tracker: IPipelineEditorTracker,
    browser: IDefaultFileBrowser | null
  ): void => {
    const { commands, shell } = app;
    const selectedFiles = () =>
      browser
        ? [...browser.selectedItems()]
            .filter(item => item.type !== 'directory' && isStepFile(item.path))
            .map(item => item.path)
        : [];

    commands.addCommand(CommandIDs.addToPipeline, {
      label: () => {
        const editor = tracker.currentWidget;
        return editor
          ? `Add to Pipeline ${baseName(editor.context.localPath)}`
          : 'Add to Pipeline';
      },
      caption:
        'Add the selected notebooks and scripts as steps of the pipeline last used',
      icon: pipelineIcon,
      isVisible: () => selectedFiles().length > 0,
      execute: args => {
        const paths =
          Array.isArray(args.paths) && args.paths.length > 0
            ? (args.paths as string[])
            : selectedFiles();
        const widget = tracker.currentWidget;
        if (!widget) {
          Notification.warning(
            'Open a pipeline first: files are added to the pipeline editor you used last.',
            { autoClose: 6000 }
          );
          return;
        }
        shell.activateById(widget.id);
        return widget.content.editing.addFiles(paths);
      }
    });
  }
};
