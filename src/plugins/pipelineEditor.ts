/**
 * The pipeline document: the `.orchest` file type, the "Pipeline Editor"
 * widget factory (the default for that type), its tracker and layout
 * restoration, editor commands, and the user settings.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, WidgetTracker } from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { FileDialog } from '@jupyterlab/filebrowser';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { refreshIcon } from '@jupyterlab/ui-components';

import { registerEditorCommands } from '../commands/editorCommands';
import { fitViewIcon, pipelineIcon } from '../icons';
import { openContexts } from '../live/openDocuments';
import { reloadChangedOnDisk } from '../live/reloadChanged';
import { isStepFile } from '../model/edits';
import { isBuildEvent } from '../model/events';
import { joinPath, normalizePath } from '../model/paths';
import { PIPELINE_FILE_EXTENSION } from '../model/pipeline';
import { IPipelineEditorTracker } from '../editorTracker';
import {
  CommandIDs,
  PALETTE_CATEGORY,
  PIPELINE_FACTORY,
  PIPELINE_FILE_TYPE,
  PLUGIN_ID
} from '../ids';
import { IFolderEntry } from '../model/FilePaletteModel';
import { IOrchestLabAPI, IRunLauncher, IRunsModel } from '../tokens';
import { SIDEBAR_ID } from '../widgets/PipelinesSidebar';
import {
  DEFAULT_EDITOR_SETTINGS,
  IPipelineEditorSettings
} from '../model/editorSettings';
import { PipelineEditor } from '../widgets/PipelineEditor';
import {
  PipelineEditorDocument,
  PipelineEditorFactory
} from '../widgets/PipelineEditorFactory';
import { followPipelineRenames } from '../widgets/pipelineRenames';

/** The part of a text editor document this plugin uses. */
interface IEditorLike {
  setCursorPosition(position: { line: number; column: number }): void;
  revealPosition?(position: { line: number; column: number }): void;
  focus(): void;
}

/** Read the editor settings from the settings registry. */
function readSettings(
  settings: ISettingRegistry.ISettings
): IPipelineEditorSettings {
  const validateOnChange = settings.get('validateOnChange').composite;
  const validationDelay = settings.get('validationDelay').composite;
  const showProperties = settings.get('showProperties').composite;
  return {
    showProperties:
      typeof showProperties === 'boolean'
        ? showProperties
        : DEFAULT_EDITOR_SETTINGS.showProperties,
    validateOnChange:
      typeof validateOnChange === 'boolean'
        ? validateOnChange
        : DEFAULT_EDITOR_SETTINGS.validateOnChange,
    validationDelay:
      typeof validationDelay === 'number'
        ? validationDelay
        : DEFAULT_EDITOR_SETTINGS.validationDelay
  };
}

export const pipelineEditorPlugin: JupyterFrontEndPlugin<IPipelineEditorTracker> =
  {
    id: PLUGIN_ID,
    description: 'Opens .orchest pipeline files in a visual pipeline editor.',
    autoStart: true,
    requires: [IOrchestLabAPI, IRunsModel, IRunLauncher],
    optional: [
      ILayoutRestorer,
      ICommandPalette,
      ISettingRegistry,
      IDocumentManager,
      INotebookTracker
    ],
    provides: IPipelineEditorTracker,
    activate: (
      app: JupyterFrontEnd,
      api: IOrchestLabAPI,
      runs: IRunsModel,
      launcher: IRunLauncher,
      restorer: ILayoutRestorer | null,
      palette: ICommandPalette | null,
      settingRegistry: ISettingRegistry | null,
      docManager: IDocumentManager | null,
      notebooks: INotebookTracker | null
    ): IPipelineEditorTracker => {
      const { commands, docRegistry, shell } = app;
      let settings: IPipelineEditorSettings = { ...DEFAULT_EDITOR_SETTINGS };

      docRegistry.addFileType({
        name: PIPELINE_FILE_TYPE,
        displayName: 'Pipeline',
        extensions: [PIPELINE_FILE_EXTENSION],
        mimeTypes: ['application/json'],
        fileFormat: 'text',
        contentType: 'file',
        icon: pipelineIcon
      });

      // JSON syntax errors open the text editor at the error.
      const openLocation = async (
        path: string,
        line: number,
        column: number
      ) => {
        const widget = (await commands.execute('docmanager:open', {
          path,
          factory: 'Editor'
        })) as
          | {
              context?: { ready: Promise<void> };
              content?: { editor?: IEditorLike };
            }
          | undefined;
        await widget?.context?.ready;
        const editor = widget?.content?.editor;
        if (editor) {
          const position = {
            line: Math.max(0, line - 1),
            column: Math.max(0, column - 1)
          };
          editor.setCursorPosition(position);
          editor.revealPosition?.(position);
          editor.focus();
        }
      };

      /** Let the user choose a notebook or script, starting in `folder`. */
      const pickFile = async (folder: string): Promise<string | null> => {
        if (!docManager) {
          return null;
        }
        const result = await FileDialog.getOpenFiles({
          manager: docManager,
          title: 'Choose the file of the step',
          defaultPath: folder,
          filter: model =>
            model.type === 'directory' || isStepFile(model.path) ? {} : null
        });
        const chosen = result.value?.find(model => model.type !== 'directory');
        return result.button.accept && chosen ? chosen.path : null;
      };

      const factory = new PipelineEditorFactory({
        name: PIPELINE_FACTORY,
        label: 'Pipeline Editor',
        fileTypes: [PIPELINE_FILE_TYPE],
        defaultFor: [PIPELINE_FILE_TYPE],
        api,
        runs,
        commands,
        settings: () => settings,
        contents: app.serviceManager.contents,
        openLocation: (path, line, column) =>
          void openLocation(path, line, column),
        services: {
          openFile: path => void commands.execute('docmanager:open', { path }),
          pickFile,
          listFolder: async path => {
            const listing = await app.serviceManager.contents.get(path, {
              content: true
            });
            return Array.isArray(listing.content)
              ? (listing.content as IFolderEntry[])
              : [];
          },
          showLog: (runId, stepUuid) => {
            const step = runs.get(runId)?.steps[stepUuid];
            void commands.execute(CommandIDs.showLog, {
              runId,
              stepUuid,
              title: step?.title ?? stepUuid
            });
          },
          showEnvironments: (project, environment) =>
            void commands.execute(CommandIDs.showEnvironments, {
              project,
              environment
            }),
          runOutdated: path =>
            void launcher.run({ pipelinePath: path, mode: 'outdated' }),
          showRuns: () => {
            if (commands.hasCommand(CommandIDs.showPipelines)) {
              void commands.execute(CommandIDs.showPipelines, {
                section: 'runs'
              });
            } else {
              shell.activateById(SIDEBAR_ID);
            }
          }
        }
      });
      docRegistry.addWidgetFactory(factory);

      const tracker = new WidgetTracker<PipelineEditorDocument>({
        namespace: 'orchest-lab-pipeline-editor'
      });
      factory.widgetCreated.connect((_, widget) => {
        widget.context.pathChanged.connect(() => void tracker.save(widget));
        void tracker.add(widget);
        // Saving a pipeline can give its notebooks another kernel on disk:
        // open, unchanged ones are reloaded so that they match.
        widget.context.saveState.connect((_, state) => {
          if (state !== 'completed') {
            return;
          }
          const editor = widget.content;
          const contexts = editor.model.steps
            .filter(step => step.filePath.endsWith('.ipynb'))
            .flatMap(step =>
              openContexts(
                docManager,
                notebooks,
                joinPath(editor.folder, step.filePath)
              )
            );
          void reloadChangedOnDisk(contexts, app.serviceManager.contents);
        });
      });
      followPipelineRenames(
        app.serviceManager.contents,
        paths =>
          tracker.find(widget => paths.includes(widget.context.localPath))
            ?.content ?? null
      );
      if (restorer) {
        void restorer.restore(tracker, {
          command: 'docmanager:open',
          args: widget => ({
            path: widget.context.path,
            factory: PIPELINE_FACTORY
          }),
          name: widget => widget.context.path
        });
      }

      /** The pipeline editor the user is looking at, if any. */
      const current = (): PipelineEditor | null => {
        const widget = tracker.currentWidget;
        return widget && widget === shell.currentWidget ? widget.content : null;
      };

      commands.addCommand(CommandIDs.fitView, {
        label: 'Fit Pipeline to View',
        caption: 'Zoom and pan so that the whole pipeline is visible',
        icon: args => (args.isPalette ? undefined : fitViewIcon),
        isEnabled: () => current() !== null,
        execute: () => current()?.fitView()
      });
      commands.addCommand(CommandIDs.validate, {
        label: 'Validate Pipeline',
        caption: 'Check the pipeline for errors again',
        icon: args => (args.isPalette ? undefined : refreshIcon),
        isEnabled: () => current() !== null,
        execute: () => current()?.validate()
      });
      if (palette) {
        for (const command of [CommandIDs.fitView, CommandIDs.validate]) {
          palette.addItem({
            command,
            category: PALETTE_CATEGORY,
            args: { isPalette: true }
          });
        }
      }
      /** The environment dropdowns of the project's editors load again. */
      const reloadEnvironments = (changedProject: string): void => {
        const project = normalizePath(changedProject);
        tracker.forEach(widget => {
          const environments = widget.content.environments;
          if (
            environments.project !== null &&
            normalizePath(environments.project) === project
          ) {
            void environments.load();
          }
        });
      };
      // A build ended, or an environment was created, renamed or deleted.
      app.serviceManager.events.stream.connect((_, message) => {
        if (
          isBuildEvent(message) &&
          ['ready', 'failed', 'cancelled'].includes(message.state)
        ) {
          reloadEnvironments(message.project);
        }
      });
      api.environments.definitionsChanged.connect((_, project) =>
        reloadEnvironments(project)
      );

      registerEditorCommands({
        app,
        tracker,
        runs,
        launcher,
        palette,
        pickFile
      });

      if (settingRegistry) {
        const apply = (loaded: ISettingRegistry.ISettings) => {
          settings = readSettings(loaded);
          tracker.forEach(widget => widget.content.updateSettings(settings));
        };
        settingRegistry
          .load(PLUGIN_ID)
          .then(loaded => {
            apply(loaded);
            loaded.changed.connect(apply);
          })
          .catch(reason =>
            console.error('orchest-lab: could not load settings.', reason)
          );
      }

      return tracker;
    }
  };
