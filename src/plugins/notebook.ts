/**
 * Notebooks (and scripts) that are steps of pipelines: "Run this step",
 * "Run up to this step" and "Open its pipeline", as commands and as buttons
 * in the notebook toolbar (shown only when the notebook is a step).
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  Dialog,
  ICommandPalette,
  Notification,
  showDialog
} from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { Widget } from '@lumino/widgets';

import { IFileStep, NotebookSteps } from '../model/NotebookSteps';
import { PIPELINE_FILE_EXTENSION } from '../model/pipeline';
import { CommandIDs, PALETTE_CATEGORY, PIPELINE_FACTORY } from '../ids';
import { IOrchestLabAPI, IRunLauncher, IRunsModel } from '../tokens';
import type { PipelineEditorDocument } from '../widgets/PipelineEditorFactory';
import { PipelineEditor } from '../widgets/PipelineEditor';
import {
  createNotebookButtons,
  createNotebookRunProgress
} from '../widgets/NotebookPipelineButtons';

/** Ask which step to use when a file is a step of several pipelines. */
async function chooseStep(
  steps: readonly IFileStep[],
  action: string
): Promise<IFileStep | null> {
  if (steps.length <= 1) {
    return steps[0] ?? null;
  }
  const select = document.createElement('select');
  select.className = 'jp-mod-styled orchest-lab-ChooseStep';
  steps.forEach((step, index) => {
    const option = document.createElement('option');
    option.value = String(index);
    option.textContent = `${step.title} (${step.pipelinePath})`;
    select.appendChild(option);
  });
  const body = new Widget({ node: document.createElement('div') });
  const label = document.createElement('p');
  label.textContent = 'This file is a step of several pipelines. Which one?';
  body.node.append(label, select);
  const result = await showDialog({
    title: action,
    body,
    buttons: [Dialog.cancelButton(), Dialog.okButton({ label: action })]
  });
  return result.button.accept ? steps[Number(select.value)] : null;
}

export const notebookPlugin: JupyterFrontEndPlugin<void> = {
  id: 'orchest-lab:notebook',
  description: 'Run a notebook that is a pipeline step, or open its pipeline.',
  autoStart: true,
  requires: [IOrchestLabAPI, IRunLauncher],
  optional: [INotebookTracker, IDocumentManager, ICommandPalette, IRunsModel],
  activate: (
    app: JupyterFrontEnd,
    api: IOrchestLabAPI,
    launcher: IRunLauncher,
    notebooks: INotebookTracker | null,
    docManager: IDocumentManager | null,
    palette: ICommandPalette | null,
    runs: IRunsModel | null
  ): void => {
    const { commands, shell, serviceManager } = app;
    const steps = new NotebookSteps(path => api.pipelines.withFile(path));

    /** The file a command is about: its `path` argument or the current notebook. */
    const target = (args: { path?: unknown }): string | null => {
      if (typeof args.path === 'string' && args.path) {
        return args.path;
      }
      const widget = shell.currentWidget;
      const context = widget ? docManager?.contextForWidget(widget) : undefined;
      return (
        context?.localPath ??
        notebooks?.currentWidget?.context.localPath ??
        null
      );
    };
    const known = (args: { path?: unknown }) => {
      const path = target(args);
      const found = path ? steps.peek(path) : undefined;
      return found !== undefined && found.length > 0;
    };
    const stepOf = async (args: { path?: unknown }, action: string) => {
      const path = target(args);
      if (!path) {
        return null;
      }
      const found = await steps.get(path);
      if (found.length === 0) {
        Notification.info(`${path} is not a step of any pipeline.`, {
          autoClose: 5000
        });
        return null;
      }
      return chooseStep(found, action);
    };

    /** A command that runs the notebook's step in `mode` (`action` names it in messages). */
    const runStep =
      (mode: 'selection' | 'incoming', action: string) =>
      async (args: { path?: unknown }) => {
        const step = await stepOf(args, action);
        return step
          ? launcher.run({
              pipelinePath: step.pipelinePath,
              mode,
              steps: [step.uuid]
            })
          : null;
      };
    commands.addCommand(CommandIDs.runNotebookStep, {
      label: 'Run This Notebook as Its Pipeline Step',
      caption:
        'Run the pipeline step that runs this notebook (saving it first if you agree)',
      isEnabled: args => known(args),
      execute: runStep('selection', 'Run step')
    });
    commands.addCommand(CommandIDs.runNotebookIncoming, {
      label: 'Run Pipeline up to This Notebook',
      caption: 'Run the steps this notebook depends on, then this one',
      isEnabled: args => known(args),
      execute: runStep('incoming', 'Run up to step')
    });
    commands.addCommand(CommandIDs.openNotebookPipeline, {
      label: "Open This Notebook's Pipeline",
      caption: 'Open the pipeline that has this notebook as a step',
      isEnabled: args => known(args),
      execute: async args => {
        const step = await stepOf(args, 'Open pipeline');
        if (!step) {
          return null;
        }
        const widget = (await commands.execute('docmanager:open', {
          path: step.pipelinePath,
          factory: PIPELINE_FACTORY
        })) as PipelineEditorDocument | undefined;
        // Show where the notebook is in the pipeline: its step, selected.
        if (widget?.content instanceof PipelineEditor) {
          await widget.content.revealStep(step.uuid);
        }
        return widget ?? null;
      }
    });
    for (const command of [
      CommandIDs.runNotebookStep,
      CommandIDs.runNotebookIncoming,
      CommandIDs.openNotebookPipeline
    ]) {
      palette?.addItem({ command, category: PALETTE_CATEGORY });
    }

    const refresh = () => {
      commands.notifyCommandChanged(CommandIDs.runNotebookStep);
      commands.notifyCommandChanged(CommandIDs.runNotebookIncoming);
      commands.notifyCommandChanged(CommandIDs.openNotebookPipeline);
    };
    steps.changed.connect(refresh);
    notebooks?.currentChanged.connect((_, panel) => {
      refresh();
      if (panel) {
        steps.get(panel.context.localPath).catch(() => undefined);
      }
    });

    // Pipelines changed: what runs which file may have changed too.
    serviceManager.contents.fileChanged.connect((_, change) => {
      const paths = [change.oldValue?.path, change.newValue?.path];
      if (
        paths.some(
          p => typeof p === 'string' && p.endsWith(PIPELINE_FILE_EXTENSION)
        )
      ) {
        steps.invalidate();
      }
    });

    app.docRegistry.addWidgetExtension('Notebook', {
      createNew: (panel: NotebookPanel) => {
        const buttons = createNotebookButtons({
          path: () => panel.context.localPath,
          steps,
          commands,
          ids: {
            runStep: CommandIDs.runNotebookStep,
            runIncoming: CommandIDs.runNotebookIncoming,
            openPipeline: CommandIDs.openNotebookPipeline
          }
        });
        // Before the cell type: a narrow split's toolbar moves its last
        // items into the overflow menu first, and this is the main action.
        if (
          !panel.toolbar.insertBefore(
            'cellType',
            'orchest-lab-pipeline',
            buttons
          )
        ) {
          panel.toolbar.addItem('orchest-lab-pipeline', buttons);
        }
        if (runs) {
          panel.contentHeader.addWidget(
            createNotebookRunProgress({
              path: () => panel.context.localPath,
              steps,
              runs
            })
          );
        }
        void panel.context.ready.then(() =>
          steps
            .get(panel.context.localPath)
            .catch(reason =>
              console.warn('orchest-lab: could not look up pipelines', reason)
            )
        );
        panel.context.pathChanged.connect(() =>
          steps.get(panel.context.localPath).catch(() => undefined)
        );
        return buttons;
      }
    });
  }
};
