/**
 * Jobs: the store of jobs fed by the server's events, the "Create Job…"
 * command (palette, Run menu, pipeline editor toolbar) and its dialog, the
 * Jobs panel ("Show Jobs"), and the read-only drive that opens the
 * notebooks of job runs in JupyterLab's notebook viewer.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  MainAreaWidget,
  Notification
} from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { ReactWidget, historyIcon } from '@jupyterlab/ui-components';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { JobsDrive } from '../drive/JobsDrive';
import { IPipelineEditorTracker } from '../editorTracker';
import { CommandIDs, PALETTE_CATEGORY, PIPELINE_FACTORY } from '../ids';
import { JobDraft } from '../model/JobDraft';
import { JobsModel } from '../model/JobsModel';
import { JobsPanelModel } from '../model/JobsPanelModel';
import { errorMessage } from '../model/errorMessage';
import { baseName } from '../model/paths';
import { IJobsModel, IOrchestLabAPI, IRunsModel } from '../tokens';
import { showCreateJobDialog } from '../widgets/CreateJobDialog';
import { createJobsPanel } from '../widgets/JobsPanel';
import { PipelineEditor } from '../widgets/PipelineEditor';

export const jobsPlugin: JupyterFrontEndPlugin<IJobsModel> = {
  id: 'orchest-lab:jobs',
  description:
    'Jobs: create them from a pipeline, follow them and their runs in the Jobs panel.',
  autoStart: true,
  requires: [IOrchestLabAPI, IRunsModel],
  optional: [IPipelineEditorTracker, ICommandPalette, IDocumentManager],
  provides: IJobsModel,
  activate: (
    app: JupyterFrontEnd,
    api: IOrchestLabAPI,
    runs: IRunsModel,
    tracker: IPipelineEditorTracker | null,
    palette: ICommandPalette | null,
    docManager: IDocumentManager | null
  ): IJobsModel => {
    const { commands, shell, serviceManager } = app;
    const jobs = new JobsModel({ source: api.jobs });
    serviceManager.events.stream.connect((_, message) =>
      jobs.handleEvent(message)
    );
    serviceManager.contents.addDrive(
      new JobsDrive({
        api: api.jobs,
        serverSettings: serviceManager.serverSettings
      })
    );

    // --- the Jobs panel ----------------------------------------------------
    let panelModel: JobsPanelModel | null = null;
    let panel: MainAreaWidget<ReactWidget> | null = null;
    const showJobs = async (jobId?: string): Promise<JobsPanelModel> => {
      if (!panel || panel.isDisposed || !panelModel) {
        const model = new JobsPanelModel({ jobs, api: api.jobs, runs });
        panelModel = model;
        panel = createJobsPanel(model, {
          showLog: (runId, stepUuid, title) =>
            void commands.execute(CommandIDs.showLog, {
              runId,
              stepUuid,
              title
            }),
          openNotebook: path => {
            if (!docManager) {
              void commands.execute('docmanager:open', { path });
              return;
            }
            // Read-only output: no kernel is started for it.
            docManager.openOrReveal(path, 'Notebook', undefined, undefined, {
              shouldStart: false,
              canStart: false,
              autoStartDefault: false
            });
          },
          openPipeline: path =>
            void commands.execute('docmanager:open', {
              path,
              factory: PIPELINE_FACTORY
            })
        });
        panel.disposed.connect(() => {
          model.dispose();
          if (panelModel === model) {
            panelModel = null;
          }
        });
      }
      if (!panel.isAttached) {
        shell.add(panel, 'main');
      }
      shell.activateById(panel.id);
      const model = panelModel;
      await jobs.load();
      if (jobId) {
        model.select(jobId);
      }
      return model;
    };
    commands.addCommand(CommandIDs.showJobs, {
      label: 'Show Jobs',
      caption: 'Open the Jobs panel: every job, its runs and their outputs',
      icon: args => (args.isPalette ? undefined : historyIcon),
      execute: async args => {
        await showJobs(typeof args.job === 'string' ? args.job : undefined);
      }
    });

    // --- Create Job… -------------------------------------------------------
    /** The editor to make a job of: the toolbar's, else the one in view. */
    const current = (
      args: ReadonlyPartialJSONObject = {}
    ): PipelineEditor | null => {
      if (!tracker) {
        return null;
      }
      if (typeof args.widgetId === 'string') {
        return tracker.find(w => w.id === args.widgetId)?.content ?? null;
      }
      const widget = tracker.currentWidget;
      return widget && widget === shell.currentWidget ? widget.content : null;
    };
    const createJob = async (editor: PipelineEditor): Promise<void> => {
      const name = baseName(editor.path);
      try {
        // The job snapshots the project on disk: unsaved changes go first.
        if (editor.context.model.dirty) {
          await editor.context.save();
        }
      } catch (reason) {
        Notification.error(
          `Could not save ${name}, so no job was made: ${errorMessage(reason)}`,
          { autoClose: 8000 }
        );
        return;
      }
      const draft = new JobDraft({
        pipelinePath: editor.path,
        pipeline: editor.model.pipeline,
        preview: (schedule, signal) =>
          api.jobs.schedulePreview(schedule, signal),
        create: request => jobs.create(request)
      });
      const job = await showCreateJobDialog(draft);
      if (job) {
        await showJobs(job.id);
      }
    };
    commands.addCommand(CommandIDs.createJob, {
      label: 'Create Job…',
      caption:
        'Run the pipeline as a job on a snapshot of its project: now, at a time or on a schedule, over a grid of parameters',
      icon: args => (args.isPalette ? undefined : historyIcon),
      isEnabled: args => {
        const editor = current(args);
        return editor !== null && editor.editable;
      },
      execute: async args => {
        const editor = current(args);
        if (editor && editor.editable) {
          await createJob(editor);
        }
      }
    });
    if (tracker) {
      const refresh = () => commands.notifyCommandChanged(CommandIDs.createJob);
      tracker.currentChanged.connect(refresh);
      shell.currentChanged?.connect(refresh);
      tracker.widgetAdded.connect((_, widget) =>
        widget.content.stateChanged.connect(refresh)
      );
    }
    for (const command of [CommandIDs.createJob, CommandIDs.showJobs]) {
      palette?.addItem({
        command,
        category: PALETTE_CATEGORY,
        args: { isPalette: true }
      });
    }
    return jobs;
  }
};
