/**
 * The runs of one job, newest first, a page at a time, kept live: run events
 * of the job's runs update the listed runs' statuses, and a new run (on the
 * first page) or a change in the job's run count loads the page again.
 */
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import type { IJobRunPage, IJobRunSummary } from '../api/jobTypes';
import type { IJobRunEvent, IJobsModel } from '../tokens';
import { errorMessage } from './errorMessage';
import type { IRunEvent } from './events';
import { mergeStatus } from './runState';

/** The route the model uses (`OrchestLabAPI.jobs.runs` in the app). */
export type JobRunsSource = (
  jobId: string,
  page: { offset: number; limit: number }
) => Promise<IJobRunPage>;

/** A listed run with what a run event says of it. */
export function applyRunEventToSummary(
  run: IJobRunSummary,
  event: IJobRunEvent['event']
): IJobRunSummary {
  if ('step_uuid' in event) {
    return run; // a step's news: the listing shows runs
  }
  const status = mergeStatus(run.status, event.status);
  const newer = status === event.status;
  return {
    ...run,
    status,
    started_at: event.started_at ?? run.started_at,
    finished_at: newer
      ? (event.finished_at ?? run.finished_at)
      : run.finished_at,
    reason: newer ? (event.reason ?? run.reason) : run.reason,
    progress: event.progress ?? run.progress
  };
}

/** The runs of a job, a page at a time. */
export class JobRunsModel implements IDisposable {
  constructor(options: JobRunsModel.IOptions) {
    this.jobId = options.jobId;
    this._source = options.source;
    this._jobs = options.jobs;
    this.limit = options.limit ?? 20;
    this._jobs.runEvent.connect(this._onRunEvent, this);
    this._jobs.changed.connect(this._onJobChanged, this);
  }

  /** The job. */
  readonly jobId: string;

  /** Runs per page. */
  readonly limit: number;

  /** Emitted when the page or a run of it changed. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** The runs of the page, newest first. */
  get runs(): readonly IJobRunSummary[] {
    return this._runs;
  }

  /** The index of the page's first run. */
  get offset(): number {
    return this._offset;
  }

  /** How many runs the job has. */
  get total(): number {
    return this._total;
  }

  /** Whether a page was loaded. */
  get loaded(): boolean {
    return this._loaded;
  }

  /** Why the page could not be loaded, or null. */
  get error(): string | null {
    return this._error;
  }

  /** Whether there are newer / older runs than the page's. */
  get hasPrevious(): boolean {
    return this._offset > 0;
  }

  get hasNext(): boolean {
    return this._offset + this._runs.length < this._total;
  }

  /** A run of the page by id. */
  get(id: string): IJobRunSummary | undefined {
    return this._runs.find(run => run.id === id);
  }

  /**
   * Load the page starting at `offset` (the current one by default). Loads
   * asked for while one is under way are done once, after it.
   */
  async load(offset: number = this._offset): Promise<void> {
    this._wanted = Math.max(0, offset);
    if (this._inFlight) {
      this._again = true;
      return this._inFlight;
    }
    this._inFlight = this._loadLoop().finally(() => {
      this._inFlight = null;
    });
    return this._inFlight;
  }

  /** The page of newer runs. */
  previous(): Promise<void> {
    return this.load(Math.max(0, this._offset - this.limit));
  }

  /** The page of older runs. */
  next(): Promise<void> {
    return this.load(this._offset + this.limit);
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._jobs.runEvent.disconnect(this._onRunEvent, this);
    this._jobs.changed.disconnect(this._onJobChanged, this);
    Signal.clearData(this);
  }

  private async _loadLoop(): Promise<void> {
    do {
      this._again = false;
      const offset = this._wanted;
      try {
        const page = await this._source(this.jobId, {
          offset,
          limit: this.limit
        });
        if (this._isDisposed) {
          return;
        }
        // A page past the end (runs were deleted): the last one instead.
        if (page.runs.length === 0 && offset > 0 && page.total > 0) {
          this._wanted = Math.floor((page.total - 1) / this.limit) * this.limit;
          this._again = true;
          continue;
        }
        // The listing is read from the store, which may lag behind the
        // events already heard: a status never goes back.
        this._runs = page.runs.map(run => {
          const heard = this._heard.get(run.id);
          return heard ? applyRunEventToSummary(run, heard) : run;
        });
        this._offset = offset;
        this._total = page.total;
        this._loaded = true;
        this._error = null;
      } catch (reason) {
        this._error = errorMessage(reason);
      }
      this._changed.emit();
    } while (this._again && !this._isDisposed);
  }

  private _onRunEvent(_: IJobsModel, news: IJobRunEvent): void {
    if (news.jobId !== this.jobId) {
      return;
    }
    if (!('step_uuid' in news.event)) {
      const before = this._heard.get(news.runId);
      this._heard.set(
        news.runId,
        before &&
          mergeStatus(before.status, news.event.status) !== news.event.status
          ? before
          : news.event
      );
    }
    const index = this._runs.findIndex(run => run.id === news.runId);
    if (index >= 0) {
      const updated = applyRunEventToSummary(this._runs[index], news.event);
      if (updated !== this._runs[index]) {
        this._runs = [
          ...this._runs.slice(0, index),
          updated,
          ...this._runs.slice(index + 1)
        ];
        this._changed.emit();
      }
    } else if (
      this._loaded &&
      this._offset === 0 &&
      !('step_uuid' in news.event)
    ) {
      void this.load(0);
    }
  }

  private _onJobChanged(jobs: IJobsModel, id: string | null): void {
    if (id !== this.jobId || !this._loaded) {
      return;
    }
    const total = jobs.get(id)?.runs?.total;
    if (typeof total === 'number' && total !== this._total) {
      void this.load();
    }
  }

  private _source: JobRunsSource;
  private _jobs: IJobsModel;
  private _runs: IJobRunSummary[] = [];
  /** The latest run event of each run of the job heard of. */
  private _heard = new Map<string, IRunEvent>();
  private _offset = 0;
  private _wanted = 0;
  private _total = 0;
  private _loaded = false;
  private _error: string | null = null;
  private _inFlight: Promise<void> | null = null;
  private _again = false;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
}

export namespace JobRunsModel {
  export interface IOptions {
    jobId: string;
    source: JobRunsSource;
    jobs: IJobsModel;
    /** Runs per page (20 by default). */
    limit?: number;
  }
}
