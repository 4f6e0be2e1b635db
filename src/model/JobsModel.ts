/**
 * Every job, loaded once from `GET jobs` and then kept live from the
 * server's events, never polled: job events (status, next run, run counts,
 * last run, disk use, deletion) and the run and step events of job runs,
 * which the pages of jobs follow through {@link JobsModel.runEvent}.
 *
 * Answers and events can cross: an answer to a request made before an
 * event arrived does not undo what the event said.
 */
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import type { IJob, IJobRequest, JobAction } from '../api/jobTypes';
import type { IJobsModel, IJobRunEvent } from '../tokens';
import { errorMessage } from './errorMessage';
import { IJobEvent, isJobEvent, isRunEvent, isStepEvent } from './events';

export type { IJobRunEvent } from '../tokens';

/** The routes the model uses (`OrchestLabAPI.jobs` in the app). */
export interface IJobsSource {
  list(): Promise<IJob[]>;
  get(id: string): Promise<IJob>;
  create(request: IJobRequest): Promise<IJob>;
  delete(id: string): Promise<void>;
  act(id: string, action: JobAction): Promise<IJob>;
}

/** The fields of a job that its events carry, and only they. */
const LIVE_FIELDS = [
  'status',
  'next_run_at',
  'runs',
  'last_run',
  'disk_bytes'
] as const;

/** A job with what an event says of it. */
export function applyJobEvent(job: IJob, event: IJobEvent): IJob {
  if (event.status === 'DELETED') {
    return job;
  }
  const next: IJob = { ...job, status: event.status };
  if (typeof event.name === 'string') {
    next.name = event.name;
  }
  if (typeof event.pipeline_path === 'string') {
    next.pipeline_path = event.pipeline_path;
  }
  if (event.next_run_at !== undefined) {
    next.next_run_at = event.next_run_at;
  }
  if (event.runs !== undefined) {
    next.runs = event.runs;
  }
  if (event.last_run !== undefined) {
    next.last_run = event.last_run;
  }
  if (typeof event.disk_bytes === 'number') {
    next.disk_bytes = event.disk_bytes;
  }
  return next;
}

/** The store of jobs. */
export class JobsModel implements IJobsModel, IDisposable {
  constructor(options: JobsModel.IOptions) {
    this._source = options.source;
  }

  /** Emitted with the id of a job that changed, or null when all did. */
  get changed(): ISignal<this, string | null> {
    return this._changed;
  }

  /** Emitted with each run or step event of a job's run. */
  get runEvent(): ISignal<this, IJobRunEvent> {
    return this._runEvent;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Every job, newest first. */
  get jobs(): IJob[] {
    return [...this._jobs.values()].sort((a, b) => {
      const ta = a.created_at ?? '';
      const tb = b.created_at ?? '';
      return ta === tb ? 0 : ta < tb ? 1 : -1;
    });
  }

  /** Whether the list was loaded. */
  get loaded(): boolean {
    return this._loaded;
  }

  /** Whether the list is being loaded. */
  get loading(): boolean {
    return this._loading !== null;
  }

  /** Why the list could not be loaded, or null. */
  get error(): string | null {
    return this._error;
  }

  /** A job by id. */
  get(id: string): IJob | undefined {
    return this._jobs.get(id);
  }

  /**
   * Load the list of jobs, once: later calls wait for the same load (after
   * a failure, they try again). Events keep it up to date from then on.
   */
  load(): Promise<void> {
    if (this._loaded) {
      return Promise.resolve();
    }
    if (!this._loading) {
      this._loading = this._load().finally(() => {
        this._loading = null;
      });
      this._changed.emit(null);
    }
    return this._loading;
  }

  /**
   * Take a message from the server's event bus: job events update the jobs,
   * run and step events of job runs go to {@link runEvent}; others are
   * ignored.
   */
  handleEvent(message: unknown): void {
    if (this._isDisposed) {
      return;
    }
    if (isJobEvent(message)) {
      if (this._loading) {
        // Replayed over the list when it comes: it may be older.
        this._pending.push(message);
      }
      this._applyEvent(message);
    } else if (isRunEvent(message)) {
      const jobId =
        message.job_id ||
        (message.kind === 'job' ? this._runJobs.get(message.run_id) : null);
      if (jobId) {
        this._runJobs.set(message.run_id, jobId);
        this._runEvent.emit({ jobId, runId: message.run_id, event: message });
      }
    } else if (isStepEvent(message)) {
      const jobId = this._runJobs.get(message.run_id);
      if (jobId) {
        this._runEvent.emit({ jobId, runId: message.run_id, event: message });
      }
    }
  }

  /**
   * Make a job.
   *
   * @throws {APIError} when the server refuses it (issues point at fields).
   */
  async create(request: IJobRequest): Promise<IJob> {
    const job = await this._source.create(request);
    return this._applyAnswer(job, this._seq.get(job.id) ?? 0);
  }

  /** Pause, resume, trigger or cancel a job; resolves with it. */
  async act(id: string, action: JobAction): Promise<IJob> {
    const seq = this._seq.get(id) ?? 0;
    const job = await this._source.act(id, action);
    return this._applyAnswer(job, seq);
  }

  /** Delete a job (its runs are cancelled, its files removed). */
  async delete(id: string): Promise<void> {
    await this._source.delete(id);
    this._remove(id);
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    Signal.clearData(this);
  }

  private async _load(): Promise<void> {
    this._pending = [];
    try {
      const jobs = await this._source.list();
      for (const job of jobs) {
        if (!this._deleted.has(job.id)) {
          this._jobs.set(job.id, job);
        }
      }
      // Events that came meanwhile say more than the list, or as much.
      for (const event of this._pending) {
        this._applyEvent(event);
      }
      this._loaded = true;
      this._error = null;
    } catch (reason) {
      this._error = errorMessage(reason);
    } finally {
      this._pending = [];
    }
    this._changed.emit(null);
  }

  private _applyEvent(event: IJobEvent): void {
    const id = event.job_id;
    this._seq.set(id, (this._seq.get(id) ?? 0) + 1);
    if (event.status === 'DELETED') {
      this._remove(id);
      return;
    }
    const known = this._jobs.get(id);
    if (known) {
      this._jobs.set(id, applyJobEvent(known, event));
      this._changed.emit(id);
    } else if (!this._deleted.has(id)) {
      this._fetchUnknown(id);
    }
  }

  /**
   * A job from an answer: when events about it came since the request was
   * made (`seq` then), the fields events carry stay as they said.
   */
  private _applyAnswer(job: IJob, seq: number): IJob {
    if (this._deleted.has(job.id)) {
      return job;
    }
    const known = this._jobs.get(job.id);
    let next = job;
    if (known && (this._seq.get(job.id) ?? 0) !== seq) {
      next = { ...job };
      for (const field of LIVE_FIELDS) {
        (next as unknown as Record<string, unknown>)[field] = known[field];
      }
    }
    this._jobs.set(job.id, next);
    this._changed.emit(job.id);
    return next;
  }

  private _fetchUnknown(id: string): void {
    if (this._fetching.has(id)) {
      return;
    }
    this._fetching.add(id);
    const seq = this._seq.get(id) ?? 0;
    this._source
      .get(id)
      .then(job => {
        if (!this._isDisposed) {
          this._applyAnswer(job, seq);
        }
      })
      .catch(reason =>
        console.warn(`orchest-lab: could not fetch job ${id}`, reason)
      )
      .finally(() => this._fetching.delete(id));
  }

  private _remove(id: string): void {
    this._deleted.add(id);
    if (this._jobs.delete(id)) {
      this._changed.emit(id);
    }
  }

  private _source: IJobsSource;
  private _jobs = new Map<string, IJob>();
  private _deleted = new Set<string>();
  /** How many events came for each job: answers older than one yield. */
  private _seq = new Map<string, number>();
  private _fetching = new Set<string>();
  /** The job of each job run heard of (step events do not say it). */
  private _runJobs = new Map<string, string>();
  private _pending: IJobEvent[] = [];
  private _loaded = false;
  private _loading: Promise<void> | null = null;
  private _error: string | null = null;
  private _isDisposed = false;
  private _changed = new Signal<this, string | null>(this);
  private _runEvent = new Signal<this, IJobRunEvent>(this);
}

export namespace JobsModel {
  export interface IOptions {
    source: IJobsSource;
  }
}
