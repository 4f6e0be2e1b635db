/**
 * Every run the frontend knows about, kept up to date from live events and
 * from the REST API. Editors, sidebars and commands all read this one store.
 */
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import type { IRun, IRunRequest, IRunSummary } from '../api';
import type { IRunsModel } from '../tokens';
import { isRunEvent, isStepEvent } from './events';
import {
  IRunState,
  applyRun,
  applyRunEvent,
  applyStepEvent,
  applySummary,
  isActive,
  isJobRun
} from './runState';

/** The routes the store uses (`OrchestLabAPI.runs` in the app). */
export interface IRunsSource {
  start(request: IRunRequest): Promise<IRun>;
  get(id: string): Promise<IRun>;
  list(pipeline?: string): Promise<IRunSummary[]>;
  cancel(id: string): Promise<IRun>;
}

/** The store of runs. */
export class RunsModel implements IRunsModel, IDisposable {
  constructor(options: RunsModel.IOptions) {
    this._source = options.source;
  }

  /** Emitted with each run that changed. */
  get changed(): ISignal<this, IRunState> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** All known runs, newest first. */
  get runs(): IRunState[] {
    return [...this._runs.values()].sort((a, b) => this._compare(a, b));
  }

  /** A run by id. */
  get(id: string): IRunState | undefined {
    return this._runs.get(id);
  }

  /**
   * The newest interactive run of a pipeline (path relative to the server
   * root). Runs of jobs are left out: they ran on the job's snapshot.
   */
  latest(pipelinePath: string): IRunState | undefined {
    let best: IRunState | undefined;
    for (const run of this._runs.values()) {
      if (
        run.pipelinePath === pipelinePath &&
        !isJobRun(run) &&
        (!best || this._compare(run, best) < 0)
      ) {
        best = run;
      }
    }
    return best;
  }

  /**
   * Interactive runs still queued or running (of one pipeline, when given);
   * runs of jobs are left out.
   */
  active(pipelinePath?: string): IRunState[] {
    return this.runs.filter(
      run =>
        isActive(run) &&
        !isJobRun(run) &&
        (pipelinePath === undefined || run.pipelinePath === pipelinePath)
    );
  }

  /**
   * Take a message from the server's event bus; run and step events update
   * the store, others are ignored. A run first heard of is fetched in full.
   */
  handleEvent(message: unknown): void {
    if (this._isDisposed) {
      return;
    }
    if (isRunEvent(message)) {
      const known = this._runs.get(message.run_id);
      this._set(applyRunEvent(known, message));
      if (!known) {
        this._fetchUnknown(message.run_id);
      }
    } else if (isStepEvent(message)) {
      const known = this._runs.get(message.run_id);
      this._set(applyStepEvent(known, message));
      if (!known) {
        this._fetchUnknown(message.run_id);
      }
    }
  }

  /** Load the list of runs (of one pipeline, when given). */
  async refresh(pipelinePath?: string): Promise<void> {
    const summaries = await this._source.list(pipelinePath);
    for (const summary of summaries) {
      this._set(applySummary(this._runs.get(summary.id), summary));
    }
  }

  /** Fetch one run with all its steps. */
  async fetch(id: string): Promise<IRunState> {
    const run = await this._source.get(id);
    return this._set(applyRun(this._runs.get(id), run));
  }

  /**
   * Start a run.
   *
   * @throws {APIError} when the server refuses it (invalid pipeline, ...).
   */
  async start(request: IRunRequest): Promise<IRunState> {
    const run = await this._source.start(request);
    return this._set(applyRun(this._runs.get(run.id), run));
  }

  /** Cancel a run; resolves once it stopped. */
  async cancel(id: string): Promise<IRunState> {
    const run = await this._source.cancel(id);
    return this._set(applyRun(this._runs.get(id), run));
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    Signal.clearData(this);
  }

  private _set(run: IRunState): IRunState {
    const previous = this._runs.get(run.id);
    if (!this._order.has(run.id)) {
      this._order.set(run.id, this._counter++);
    }
    this._runs.set(run.id, run);
    if (previous !== run) {
      this._changed.emit(run);
    }
    return run;
  }

  private _fetchUnknown(id: string): void {
    if (this._fetching.has(id)) {
      return;
    }
    this._fetching.add(id);
    this.fetch(id)
      .catch(reason =>
        console.warn(`orchest-lab: could not fetch run ${id}`, reason)
      )
      .finally(() => this._fetching.delete(id));
  }

  /** Newest first: by creation time, then by when we first heard of it. */
  private _compare(a: IRunState, b: IRunState): number {
    const ta = a.createdAt ? Date.parse(a.createdAt) : NaN;
    const tb = b.createdAt ? Date.parse(b.createdAt) : NaN;
    if (!Number.isNaN(ta) && !Number.isNaN(tb) && ta !== tb) {
      return tb - ta;
    }
    return (this._order.get(b.id) ?? 0) - (this._order.get(a.id) ?? 0);
  }

  private _source: IRunsSource;
  private _runs = new Map<string, IRunState>();
  private _order = new Map<string, number>();
  private _counter = 0;
  private _fetching = new Set<string>();
  private _isDisposed = false;
  private _changed = new Signal<this, IRunState>(this);
}

export namespace RunsModel {
  export interface IOptions {
    source: IRunsSource;
  }
}
