/**
 * The state of the Jobs panel: the jobs (a live {@link IJobsModel}), the job
 * selected with its runs a page at a time, the run opened with its pipeline
 * and steps, and the outcome of the last action.
 */
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import type { IJobsAPI } from '../api/interfaces';
import type { IJob, JobAction } from '../api/jobTypes';
import type { IJobsModel, IRunsModel } from '../tokens';
import { errorMessage } from './errorMessage';
import { JobRunModel } from './JobRunModel';
import { JobRunsModel } from './JobRunsModel';
import { PipelineModel } from './PipelineModel';
import { pipelineInRun } from './jobFormat';

/** The state of the Jobs panel. */
export class JobsPanelModel implements IDisposable {
  constructor(options: JobsPanelModel.IOptions) {
    this.jobs = options.jobs;
    this._api = options.api;
    this._runs = options.runs;
    this._pageSize = options.pageSize ?? 20;
    this.jobs.changed.connect(this._onJobsChanged, this);
  }

  /** Every job, live. */
  readonly jobs: IJobsModel;

  /** Emitted when the selection, the pages or an action's outcome changed. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** The selected job. */
  get selected(): IJob | null {
    return this._selectedId ? (this.jobs.get(this._selectedId) ?? null) : null;
  }

  /** The runs of the selected job. */
  get runs(): JobRunsModel | null {
    return this._jobRuns;
  }

  /** The run opened. */
  get run(): JobRunModel | null {
    return this._run;
  }

  /**
   * The title of a step of the selected job's pipeline (read from a run's
   * copy of it once the job has runs), else the start of its uuid.
   */
  stepTitle(uuid: string): string {
    return this._titles.get(uuid) ?? uuid.slice(0, 8);
  }

  /** What went wrong with the last action, or null. */
  get actionError(): string | null {
    return this._actionError;
  }

  /** Actions under way, as `<job id>:<action>`. */
  busy(jobId: string, action: string): boolean {
    return this._busy.has(`${jobId}:${action}`);
  }

  /** Select a job (null: none); its first page of runs loads. */
  select(jobId: string | null): void {
    if (jobId === this._selectedId) {
      return;
    }
    this._closeRun();
    this._jobRuns?.dispose();
    this._jobRuns = null;
    this._selectedId = jobId;
    this._titles = new Map();
    this._titlesAsked = false;
    if (jobId !== null) {
      this._jobRuns = new JobRunsModel({
        jobId,
        jobs: this.jobs,
        limit: this._pageSize,
        source: (id, page) => this._api.runs(id, page)
      });
      this._jobRuns.changed.connect(this._onRunsChanged, this);
      void this._jobRuns.load(0);
    }
    this._changed.emit();
  }

  /** Open a run of the selected job (null: close it). */
  openRun(runId: string | null): Promise<void> {
    const job = this.selected;
    if (runId === (this._run?.runId ?? null)) {
      return Promise.resolve();
    }
    this._closeRun();
    if (runId === null || !job) {
      this._changed.emit();
      return Promise.resolve();
    }
    const jobId = job.id;
    const model = new JobRunModel({
      jobId,
      runId,
      pipelinePath: pipelineInRun(job),
      runs: this._runs,
      readFile: path => this._api.fileText(jobId, runId, path)
    });
    model.changed.connect(this._emit, this);
    this._run = model;
    this._changed.emit();
    return model.load();
  }

  /** Pause, resume, trigger or cancel a job. */
  async act(jobId: string, action: JobAction): Promise<void> {
    await this._do(jobId, action, () => this.jobs.act(jobId, action));
  }

  /** Delete a job (ask first: its runs and files go with it). */
  async delete(jobId: string): Promise<void> {
    await this._do(jobId, 'delete', () => this.jobs.delete(jobId));
  }

  /** Cancel a running run of the selected job, or delete an ended one. */
  async deleteRun(runId: string): Promise<void> {
    const job = this.selected;
    if (!job) {
      return;
    }
    await this._do(job.id, `run:${runId}`, async () => {
      await this._api.deleteRun(job.id, runId);
      if (this._run?.runId === runId) {
        this._closeRun();
      }
      await this._jobRuns?.load();
    });
  }

  /** Forget the last action's error. */
  dismissError(): void {
    this._actionError = null;
    this._changed.emit();
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._closeRun();
    this._jobRuns?.dispose();
    this._jobRuns = null;
    this.jobs.changed.disconnect(this._onJobsChanged, this);
    Signal.clearData(this);
  }

  private async _do(
    jobId: string,
    action: string,
    work: () => Promise<unknown>
  ): Promise<void> {
    const key = `${jobId}:${action}`;
    if (this._busy.has(key)) {
      return;
    }
    this._busy.add(key);
    this._actionError = null;
    this._changed.emit();
    try {
      await work();
    } catch (reason) {
      this._actionError = errorMessage(reason);
    } finally {
      this._busy.delete(key);
      if (!this._isDisposed) {
        this._changed.emit();
      }
    }
  }

  private _closeRun(): void {
    if (this._run) {
      this._run.dispose();
      this._run = null;
    }
  }

  private _onJobsChanged(_: IJobsModel, id: string | null): void {
    // The selected job was deleted (here or elsewhere): nothing is selected.
    if (this._selectedId !== null && this.jobs.loaded && !this.selected) {
      this.select(null);
      return;
    }
    if (id === null || id === this._selectedId) {
      this._changed.emit();
    }
  }

  private _emit(): void {
    this._changed.emit();
  }

  private _onRunsChanged(runs: JobRunsModel): void {
    const job = this.selected;
    if (job && !this._titlesAsked && runs.runs.length > 0) {
      this._titlesAsked = true;
      void this._loadTitles(job, runs.runs[0].id);
    }
    this._changed.emit();
  }

  /** The steps' titles, from the pipeline in a run's folder. */
  private async _loadTitles(job: IJob, runId: string): Promise<void> {
    try {
      const text = await this._api.fileText(job.id, runId, pipelineInRun(job));
      const pipeline = new PipelineModel();
      pipeline.fromString(text);
      if (this._selectedId !== job.id) {
        return;
      }
      this._titles = new Map(
        pipeline.steps.map(step => [step.uuid, step.title])
      );
      this._changed.emit();
    } catch (reason) {
      console.warn('orchest-lab: could not read the steps of the job', reason);
    }
  }

  private _api: IJobsAPI;
  private _runs: IRunsModel;
  private _pageSize: number;
  private _selectedId: string | null = null;
  private _titles = new Map<string, string>();
  private _titlesAsked = false;
  private _jobRuns: JobRunsModel | null = null;
  private _run: JobRunModel | null = null;
  private _busy = new Set<string>();
  private _actionError: string | null = null;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
}

export namespace JobsPanelModel {
  export interface IOptions {
    jobs: IJobsModel;
    api: IJobsAPI;
    runs: IRunsModel;
    /** Runs per page (20 by default). */
    pageSize?: number;
  }
}
