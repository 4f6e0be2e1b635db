/**
 * Runs: the store of runs fed by the server's live events, the launcher that
 * starts and cancels them, live outputs in open notebooks, and the command
 * that shows a step's log.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';

import { LiveOutputs, NotebookContext } from '../live/LiveOutputs';
import { openContexts } from '../live/openDocuments';
import { RunsModel } from '../model/RunsModel';
import { baseName, folderOf, joinPath } from '../model/paths';
import { RunLauncher } from '../runner/RunLauncher';
import { CommandIDs, PLUGIN_ID } from '../ids';
import { IOrchestLabAPI, IRunLauncher, IRunsModel } from '../tokens';
import { LogView } from '../widgets/LogViewer';

export const runsPlugin: JupyterFrontEndPlugin<IRunsModel> = {
  id: 'orchest-lab:runs',
  description:
    'Keeps runs up to date from live events and fills open notebooks.',
  autoStart: true,
  requires: [IOrchestLabAPI],
  optional: [INotebookTracker, IDocumentManager],
  provides: IRunsModel,
  activate: (
    app: JupyterFrontEnd,
    api: IOrchestLabAPI,
    notebooks: INotebookTracker | null,
    docManager: IDocumentManager | null
  ): IRunsModel => {
    const runs = new RunsModel({ source: api.runs });

    const live = new LiveOutputs({
      findNotebooks: path => {
        const found: NotebookContext[] = [];
        notebooks?.forEach(panel => {
          const context = panel.context as NotebookContext;
          if (context.localPath === path && !found.includes(context)) {
            found.push(context);
          }
        });
        return found;
      },
      notebookOfStep: (runId, stepUuid) => {
        const run = runs.get(runId);
        const step = run?.steps[stepUuid];
        if (!run || !step?.filePath || run.kind === 'job') {
          return null;
        }
        const path = joinPath(folderOf(run.pipelinePath), step.filePath);
        return path.endsWith('.ipynb') ? path : null;
      },
      onEditsKept: context =>
        Notification.info(
          `${baseName(context.localPath)}: the run finished and its outputs are shown. ` +
            'Your edits made during the run are kept, unsaved: saving writes them with these outputs.',
          { autoClose: 10000 }
        )
    });

    app.serviceManager.events.stream.connect((_, message) => {
      // Outputs first: they are what the user watches.
      live.handleEvent(message);
      runs.handleEvent(message);
    });

    return runs;
  }
};

export const runLauncherPlugin: JupyterFrontEndPlugin<IRunLauncher> = {
  id: 'orchest-lab:run-launcher',
  description: 'Starts and cancels runs, saving and asking first where needed.',
  autoStart: true,
  requires: [IOrchestLabAPI, IRunsModel],
  optional: [IDocumentManager, INotebookTracker, ISettingRegistry],
  provides: IRunLauncher,
  activate: (
    app: JupyterFrontEnd,
    api: IOrchestLabAPI,
    runs: IRunsModel,
    docManager: IDocumentManager | null,
    notebooks: INotebookTracker | null,
    settingRegistry: ISettingRegistry | null
  ): IRunLauncher => {
    let confirm = false;
    settingRegistry
      ?.load(PLUGIN_ID)
      .then(settings => {
        const read = () => {
          confirm = settings.get('confirmBeforeRun').composite === true;
        };
        read();
        settings.changed.connect(read);
      })
      .catch(reason =>
        console.error('orchest-lab: could not load settings.', reason)
      );
    const launcher = new RunLauncher({
      api,
      runs,
      findDocuments: path => openContexts(docManager, notebooks, path),
      confirmBeforeRun: () => confirm,
      readFile: async path =>
        (await app.serviceManager.contents.get(path, { content: true })).content
    });

    const { commands, shell } = app;
    commands.addCommand(CommandIDs.showLog, {
      label: args => `Show Log of ${(args.title as string) || 'Step'}`,
      caption: 'Show the log of a step of a run, following it while it runs',
      execute: args => {
        const runId = args.runId as string;
        const stepUuid = args.stepUuid as string;
        if (!runId || !stepUuid) {
          return;
        }
        const id = `${LogView.idFor(runId, stepUuid)}-tab`;
        const open = [...shell.widgets('main')].find(w => w.id === id);
        if (open) {
          shell.activateById(id);
          return;
        }
        const widget = LogView.createWidget({
          api,
          runs,
          runId,
          stepUuid,
          title: (args.title as string) || stepUuid
        });
        // Beside the current document when it is wide, below it when it is
        // narrow (a split): a pipeline's canvas stays usable either way.
        const current = shell.currentWidget;
        const narrow = current !== null && current.node.offsetWidth < 900;
        shell.add(widget, 'main', {
          mode: narrow ? 'split-bottom' : 'split-right',
          ref: current?.id ?? null
        });
        shell.activateById(widget.id);
      }
    });
    commands.addCommand(CommandIDs.runPipeline, {
      label: 'Run Pipeline',
      caption: 'Run every step of a pipeline',
      execute: args => {
        const path = args.path as string;
        return path ? launcher.run({ pipelinePath: path, mode: 'full' }) : null;
      }
    });
    return launcher;
  }
};
