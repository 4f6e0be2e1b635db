/**
 * Which run's statuses a pipeline editor shows: the pipeline's latest
 * interactive run (never a job's: those ran on a snapshot), or a past run the
 * user chose in the run history until they go back or a new run starts. A run
 * the user dismissed is not shown again.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { IRunState, isActive, isJobRun } from './runState';

/** What the runs store offers (see IRunsModel in tokens.ts). */
export interface IRunSource {
  get(id: string): IRunState | undefined;
  latest(pipelinePath: string): IRunState | undefined;
  fetch(id: string): Promise<IRunState>;
  refresh(pipelinePath?: string): Promise<void>;
}

export class ShownRun {
  constructor(
    private readonly _runs: IRunSource,
    private readonly _path: () => string
  ) {}

  /** Emitted when the run shown, or what is known of it, changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The run whose statuses are shown, if any. */
  get current(): IRunState | null {
    const past = this.past;
    if (past) {
      return past;
    }
    const run = this._runs.latest(this._path());
    return run && run.id !== this._dismissed ? run : null;
  }

  /** The past run shown instead of the latest one, if any. */
  get past(): IRunState | null {
    if (!this._past) {
      return null;
    }
    const run = this._runs.get(this._past);
    const latest = this._runs.latest(this._path());
    return run && run.id !== latest?.id ? run : null;
  }

  /** Load the pipeline's runs; the latest one in full, for its statuses. */
  async load(): Promise<void> {
    try {
      await this._runs.refresh(this._path());
      const latest = this._runs.latest(this._path());
      if (latest && !latest.complete) {
        await this._runs.fetch(latest.id);
      }
    } catch (reason) {
      console.warn('orchest-lab: could not load the runs', reason);
    }
  }

  /** Show one run of this pipeline (fetched in full if needed). */
  async show(runId: string): Promise<void> {
    let run = this._runs.get(runId);
    if (!run?.complete) {
      run = await this._runs.fetch(runId);
    }
    if (run.pipelinePath !== this._path() || isJobRun(run)) {
      return;
    }
    this._past = runId;
    this._dismissed = null;
    this._changed.emit();
  }

  /** Go back to the latest run. */
  showLatest(): void {
    if (this._past) {
      this._past = null;
      this._changed.emit();
    }
  }

  /** Stop showing the current run (until the next one). */
  dismiss(): void {
    const run = this.current;
    if (run) {
      this._dismissed = run.id;
      this._changed.emit();
    }
  }

  /**
   * A run of the store changed: whether it is one of this pipeline's
   * interactive runs (a new one brings the canvas back to live statuses).
   */
  noteRun(run: IRunState): boolean {
    if (run.pipelinePath !== this._path() || isJobRun(run)) {
      return false;
    }
    if (this._past && isActive(run) && run.id !== this._past) {
      this._past = null;
    }
    this._changed.emit();
    return true;
  }

  private _past: string | null = null;
  private _dismissed: string | null = null;
  private _changed = new Signal<this, void>(this);
}
