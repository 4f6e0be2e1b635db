/**
 * The Pipelines sidebar in the left area: every pipeline under the server
 * root with its latest run (open, run, cancel), and the run history with
 * each step's status, duration and log.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { Signal } from '@lumino/signaling';

import { PipelineListModel } from '../model/PipelineListModel';
import { PIPELINE_FILE_EXTENSION } from '../model/pipeline';
import { IPipelineEditorTracker } from '../editorTracker';
import { CommandIDs, PALETTE_CATEGORY, PIPELINE_FACTORY } from '../ids';
import { IOrchestLabAPI, IRunLauncher, IRunsModel } from '../tokens';
import { PipelineEditor } from '../widgets/PipelineEditor';
import type { PipelineEditorDocument } from '../widgets/PipelineEditorFactory';
import {
  SIDEBAR_ID,
  createPipelinesSidebar
} from '../widgets/PipelinesSidebar';

export const sidebarPlugin: JupyterFrontEndPlugin<void> = {
  id: 'orchest-lab:sidebar',
  description:
    'The Pipelines sidebar: pipelines, their latest runs, run history.',
  autoStart: true,
  requires: [IOrchestLabAPI, IRunsModel, IRunLauncher],
  optional: [IPipelineEditorTracker, ILayoutRestorer, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    api: IOrchestLabAPI,
    runs: IRunsModel,
    launcher: IRunLauncher,
    tracker: IPipelineEditorTracker | null,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null
  ): void => {
    const { commands, shell, serviceManager } = app;
    const list = new PipelineListModel(() => api.pipelines.list());
    const currentChanged = new Signal<unknown, void>(list);
    tracker?.currentChanged.connect(() => currentChanged.emit());

    const open = (path: string) =>
      void commands.execute('docmanager:open', {
        path,
        factory: PIPELINE_FACTORY
      });
    const sidebar = createPipelinesSidebar({
      list,
      runs,
      pipelineActions: {
        open,
        run: path => void launcher.run({ pipelinePath: path, mode: 'full' }),
        cancel: runId => void launcher.cancel(runId)
      },
      runActions: {
        fetch: runId =>
          void runs
            .fetch(runId)
            .catch(reason =>
              console.warn(`orchest-lab: could not load run ${runId}`, reason)
            ),
        cancel: runId => void launcher.cancel(runId),
        showLog: (runId, step) =>
          void commands.execute(CommandIDs.showLog, {
            runId,
            stepUuid: step.uuid,
            title: step.title
          }),
        openPipeline: open,
        showOnCanvas: async run => {
          const widget = (await commands.execute('docmanager:open', {
            path: run.pipelinePath,
            factory: PIPELINE_FACTORY
          })) as PipelineEditorDocument | undefined;
          if (widget?.content instanceof PipelineEditor) {
            await widget.content.showRun(run.id);
          }
        }
      },
      currentPipeline: () => tracker?.currentWidget?.context.localPath ?? null,
      currentChanged
    });
    shell.add(sidebar, 'left', { rank: 600 });
    restorer?.add(sidebar, SIDEBAR_ID);

    let loaded = false;
    const load = () => {
      if (loaded) {
        return;
      }
      loaded = true;
      void list.refresh();
      runs
        .refresh()
        .catch(reason =>
          console.warn('orchest-lab: could not list runs', reason)
        );
    };
    // Load when first shown; then follow file changes and runs.
    sidebar.shown.connect(load);
    if (sidebar.isVisible) {
      load();
    }

    serviceManager.contents.fileChanged.connect((_, change) => {
      const paths = [change.oldValue?.path, change.newValue?.path];
      if (
        loaded &&
        paths.some(
          path =>
            typeof path === 'string' && path.endsWith(PIPELINE_FILE_EXTENSION)
        )
      ) {
        list.refreshSoon();
      }
    });
    runs.changed.connect((_, run) => {
      if (loaded && !list.pipelines.some(p => p.path === run.pipelinePath)) {
        list.refreshSoon();
      }
    });

    commands.addCommand(CommandIDs.showPipelines, {
      label: 'Show Pipelines and Runs',
      caption: 'Open the sidebar of pipelines and run history',
      execute: args => {
        load();
        shell.activateById(SIDEBAR_ID);
        if (args.section === 'runs') {
          const runsSection = sidebar.content.widgets.find(w =>
            w.id.endsWith('-runs')
          );
          runsSection?.node.scrollIntoView?.({ block: 'nearest' });
        }
      }
    });
    palette?.addItem({
      command: CommandIDs.showPipelines,
      category: PALETTE_CATEGORY
    });
  }
};
