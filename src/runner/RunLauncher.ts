/**
 * Starting and cancelling runs from anywhere (editor toolbar, sidebar,
 * notebook toolbar, palette), with the same care everywhere:
 * - the run executes the pipeline file on disk, so an open pipeline with
 *   unsaved changes is saved first;
 * - if a notebook or script the run executes has unsaved changes in
 *   JupyterLab that differ from the file in what the run executes (cells'
 *   sources, a script's text), the user chooses: save them and run, or
 *   cancel (the run writes into notebooks, so unsaved edits would otherwise
 *   be lost); changes the run does not execute (metadata the kernel filled
 *   in) are saved without asking;
 * - with the confirm-before-run setting, the user confirms the steps;
 * - a refused run shows the server's message and issues.
 */
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import { DocumentRegistry } from '@jupyterlab/docregistry';
import React from 'react';

import { APIError, IIssue, IPlannedStep, RunMode } from '../api';
import { displayMessage } from '../model/issues';
import { baseName, folderOf, joinPath } from '../model/paths';
import { IRunState } from '../model/runState';
import { runnableContentDiffers } from '../model/unsavedCode';
import { errorMessage } from '../model/errorMessage';
import {
  IOrchestLabAPI,
  IRunLauncher,
  IRunTarget,
  IRunsModel
} from '../tokens';

/** Options of {@link RunLauncher}. */
export interface IRunLauncherOptions {
  api: IOrchestLabAPI;
  runs: IRunsModel;
  /** The open documents of a path (relative to the server root). */
  findDocuments: (path: string) => DocumentRegistry.Context[];
  /** Whether to ask before each run. */
  confirmBeforeRun: () => boolean;
  /**
   * The content of a file on disk (notebook JSON or text), to tell unsaved
   * changes a run executes from others. Without it every change asks.
   */
  readFile?: (path: string) => Promise<unknown>;
}

/** How a run mode is described in dialogs. */
const MODE_TEXT: Record<RunMode, string> = {
  full: 'every step',
  selection: 'the selected steps',
  incoming: 'the selected steps and their ancestors',
  downstream: 'the selected steps and their descendants',
  outdated: 'the steps whose outputs are not up to date'
};

/** Modes that run every step when none is selected. */
const WHOLE_PIPELINE_MODES: readonly RunMode[] = ['full', 'outdated'];

/** Starts and cancels runs. */
export class RunLauncher implements IRunLauncher {
  constructor(options: IRunLauncherOptions) {
    this._options = options;
  }

  /**
   * Run (part of) a pipeline. Resolves with the new run, or null when the
   * user cancelled or the server refused (after telling the user why).
   */
  async run(target: IRunTarget): Promise<IRunState | null> {
    const { api, runs } = this._options;
    const name = baseName(target.pipelinePath);
    try {
      for (const context of this._options.findDocuments(target.pipelinePath)) {
        if (context.model.dirty) {
          await context.save();
        }
      }
      const steps = WHOLE_PIPELINE_MODES.includes(target.mode)
        ? target.steps?.length
          ? target.steps
          : undefined
        : target.steps;
      const plan = await api.pipelines.plan({
        path: target.pipelinePath,
        mode: target.mode,
        steps: target.mode === 'full' ? undefined : steps
      });
      if (plan.steps.length === 0 && target.mode === 'outdated') {
        Notification.info(
          `Every step of ${name} is up to date: there is nothing to run.`,
          { autoClose: 5000 }
        );
        return null;
      }
      const asked = await this._saveStepFiles(target.pipelinePath, plan.steps);
      if (asked === 'cancel') {
        return null;
      }
      if (asked === 'none' && this._options.confirmBeforeRun()) {
        const titles = plan.steps.map(step => step.title);
        const result = await showDialog({
          title: `Run ${titles.length} ${titles.length === 1 ? 'step' : 'steps'} of ${name}?`,
          body: `${displayMessage(MODE_TEXT[target.mode])}: ${titles.join(', ')}.`,
          buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Run' })]
        });
        if (!result.button.accept) {
          return null;
        }
      }
      return await runs.start({
        pipeline_path: target.pipelinePath,
        mode: target.mode,
        steps: target.mode === 'full' ? undefined : steps
      });
    } catch (reason) {
      await showRunError(`Could not run ${name}`, reason);
      return null;
    }
  }

  /** Cancel a run; resolves once all its kernels and processes stopped. */
  async cancel(runId: string): Promise<IRunState | null> {
    try {
      return await this._options.runs.cancel(runId);
    } catch (reason) {
      await showRunError('Could not cancel the run', reason);
      return null;
    }
  }

  /**
   * Ask about step files with unsaved changes: 'none' when there were none,
   * 'saved' when the user saved them, 'cancel' when the user cancelled.
   */
  private async _saveStepFiles(
    pipelinePath: string,
    steps: readonly IPlannedStep[]
  ): Promise<'none' | 'saved' | 'cancel'> {
    const folder = folderOf(pipelinePath);
    const dirty: DocumentRegistry.Context[] = [];
    for (const step of steps) {
      if (!step.file_path) {
        continue;
      }
      const path = joinPath(folder, step.file_path);
      for (const context of this._options.findDocuments(path)) {
        if (context.model.dirty && !dirty.includes(context)) {
          dirty.push(context);
        }
      }
    }
    const differing: DocumentRegistry.Context[] = [];
    for (const context of dirty) {
      if (await this._differsFromDisk(context)) {
        differing.push(context);
      } else {
        // Nothing the run executes changed: keep the file in step quietly.
        await context.save();
      }
    }
    if (differing.length === 0) {
      return 'none';
    }
    return this._askToSave(differing);
  }

  /** Whether a document's unsaved changes touch what a run executes. */
  private async _differsFromDisk(
    context: DocumentRegistry.Context
  ): Promise<boolean> {
    const readFile = this._options.readFile;
    if (!readFile) {
      return true;
    }
    try {
      const onDisk = await readFile(context.path);
      const path = context.localPath;
      const open = path.endsWith('.ipynb')
        ? context.model.toJSON()
        : context.model.toString();
      return runnableContentDiffers(path, open, onDisk);
    } catch {
      return true;
    }
  }

  /** Ask to save files whose changes a run executes. */
  private async _askToSave(
    dirty: DocumentRegistry.Context[]
  ): Promise<'saved' | 'cancel'> {
    const names = dirty.map(context => baseName(context.localPath));
    const result = await showDialog({
      title: 'Save changes before running?',
      body: React.createElement(
        'div',
        { className: 'orchest-lab-SaveBeforeRun' },
        React.createElement(
          'p',
          null,
          `The run executes ${names.length === 1 ? 'a file that has' : 'files that have'} unsaved changes. ` +
            'It runs what is on disk and writes its outputs into notebooks, so the changes must be saved first.'
        ),
        React.createElement(
          'ul',
          null,
          names.map(fileName =>
            React.createElement('li', { key: fileName }, fileName)
          )
        )
      ),
      buttons: [
        Dialog.cancelButton(),
        Dialog.okButton({ label: 'Save and Run' })
      ]
    });
    if (!result.button.accept) {
      return 'cancel';
    }
    for (const context of dirty) {
      await context.save();
    }
    return 'saved';
  }

  private _options: IRunLauncherOptions;
}

/** Show why something about a run failed: the message and the issues. */
export async function showRunError(
  title: string,
  reason: unknown
): Promise<void> {
  const message = errorMessage(reason);
  const issues: IIssue[] = reason instanceof APIError ? reason.issues : [];
  const errors = issues.filter(issue => issue.severity === 'error');
  const shown = errors.length > 0 ? errors : issues;
  if (shown.length === 0) {
    Notification.error(`${title}: ${displayMessage(message)}`, {
      autoClose: 8000
    });
    return;
  }
  await showDialog({
    title,
    body: React.createElement(
      'div',
      { className: 'orchest-lab-RunError' },
      React.createElement('p', null, displayMessage(message)),
      React.createElement(
        'ul',
        null,
        shown.map((issue, index) =>
          React.createElement(
            'li',
            { key: index, 'data-code': issue.code },
            displayMessage(issue.message)
          )
        )
      )
    ),
    buttons: [Dialog.okButton({ label: 'OK' })]
  });
}
