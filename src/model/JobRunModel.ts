/**
 * One run of a job, as its page shows it: the pipeline as the run ran it
 * (the definition in the run's folder, a copy of the job's snapshot), and
 * the run's steps with their statuses, live from the runs store (which
 * follows the run and step events of every run, job runs included).
 */
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import type { IRunsModel } from '../tokens';
import { errorMessage } from './errorMessage';
import { PipelineModel } from './PipelineModel';
import { folderOf, joinPath } from './paths';
import { IRunState } from './runState';

/** The drive that serves job runs' files read-only (see `JobsDrive`). */
export const JOBS_DRIVE_NAME = 'OrchestJobs';

/** The path of a file of a run's folder in the jobs drive. */
export function jobsDrivePath(
  jobId: string,
  runId: string,
  path: string
): string {
  return `${JOBS_DRIVE_NAME}:${jobId}/${runId}/${path}`;
}

/** A run of a job. */
export class JobRunModel implements IDisposable {
  constructor(options: JobRunModel.IOptions) {
    this.jobId = options.jobId;
    this.runId = options.runId;
    this.pipelinePath = options.pipelinePath;
    this._options = options;
    this.pipeline = new PipelineModel();
    options.runs.changed.connect(this._onRunChanged, this);
  }

  readonly jobId: string;
  readonly runId: string;

  /** The pipeline file inside the run's folder. */
  readonly pipelinePath: string;

  /** The pipeline the run ran. */
  readonly pipeline: PipelineModel;

  /** Emitted when the run or the pipeline changed. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** The run, with its steps once fetched. */
  get run(): IRunState | undefined {
    return this._options.runs.get(this.runId);
  }

  /** Why the run or its pipeline could not be loaded, or null. */
  get error(): string | null {
    return this._error;
  }

  /** Whether the pipeline was loaded. */
  get loaded(): boolean {
    return this._loaded;
  }

  /** Load the run's steps and the pipeline it ran. */
  async load(): Promise<void> {
    const { runs, readFile } = this._options;
    const errors: string[] = [];
    await Promise.all([
      runs.fetch(this.runId).catch(reason => {
        errors.push(`Could not load the run: ${errorMessage(reason)}`);
      }),
      readFile(this.pipelinePath)
        .then(text => {
          if (!this._isDisposed) {
            this.pipeline.fromString(text);
          }
        })
        .catch(reason => {
          errors.push(
            `Could not read the run's pipeline ${this.pipelinePath}: ${errorMessage(reason)}`
          );
        })
    ]);
    if (this._isDisposed) {
      return;
    }
    this._loaded = true;
    this._error = errors.length > 0 ? errors.join('\n') : null;
    this._changed.emit();
  }

  /**
   * The file of a step in the run's folder (relative to it), from the step
   * in the run or in the pipeline it ran; '' when unknown.
   */
  stepFile(stepUuid: string): string {
    const file =
      this.run?.steps[stepUuid]?.filePath ||
      this.pipeline.getStep(stepUuid)?.filePath ||
      '';
    return file ? joinPath(folderOf(this.pipelinePath), file) : '';
  }

  /** The path of a step's notebook in the jobs drive, or null for a script. */
  notebookPath(stepUuid: string): string | null {
    const file = this.stepFile(stepUuid);
    return file.endsWith('.ipynb')
      ? jobsDrivePath(this.jobId, this.runId, file)
      : null;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._options.runs.changed.disconnect(this._onRunChanged, this);
    Signal.clearData(this);
  }

  private _onRunChanged(_: IRunsModel, run: IRunState): void {
    if (run.id === this.runId) {
      this._changed.emit();
    }
  }

  private _options: JobRunModel.IOptions;
  private _error: string | null = null;
  private _loaded = false;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
}

export namespace JobRunModel {
  export interface IOptions {
    jobId: string;
    runId: string;
    /** The pipeline file, relative to the run's folder. */
    pipelinePath: string;
    /** The runs store: the run's steps and statuses, live. */
    runs: IRunsModel;
    /** Reads a file of the run's folder. */
    readFile: (path: string) => Promise<string>;
  }
}
