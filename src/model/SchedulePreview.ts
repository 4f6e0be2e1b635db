/**
 * The next times of a schedule being typed, asked of the server once the
 * user pauses (`POST jobs/schedule-preview`): an answer overtaken by a newer
 * edit is dropped, and a schedule the server refuses gives its message.
 */
import { ISignal, Signal } from '@lumino/signaling';

import type { JobSchedule } from '../api/jobTypes';
import { errorMessage } from './errorMessage';

/** A schedule that has times (not "now"). */
export type TimedSchedule = Exclude<JobSchedule, null>;

/** The preview of a schedule's next times. */
export interface ISchedulePreview {
  /** ISO 8601 times with offsets. */
  times: string[];
  /** The server's message when the schedule is not one. */
  error: string | null;
  loading: boolean;
}

/** Asks the server for a schedule's next times. */
export type SchedulePreviewSource = (
  schedule: TimedSchedule,
  signal: AbortSignal
) => Promise<string[]>;

const NOTHING: ISchedulePreview = { times: [], error: null, loading: false };

/** The preview of the schedule being typed. */
export class SchedulePreview {
  constructor(source: SchedulePreviewSource, delay = 300) {
    this._source = source;
    this._delay = delay;
  }

  /** Emitted when an answer came. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** What to show now. */
  get state(): ISchedulePreview {
    return this._state;
  }

  /**
   * The schedule changed: its times are asked for after the delay (null:
   * nothing to preview). Changes the state at once, without emitting.
   */
  ask(schedule: TimedSchedule | null): void {
    this._cancel();
    if (schedule === null) {
      this._state = NOTHING;
      return;
    }
    this._state = { ...this._state, loading: true };
    this._timer = setTimeout(() => {
      this._timer = null;
      void this._fetch(schedule);
    }, this._delay);
  }

  dispose(): void {
    this._disposed = true;
    this._cancel();
    Signal.clearData(this);
  }

  private async _fetch(schedule: TimedSchedule): Promise<void> {
    const abort = new AbortController();
    this._abort = abort;
    let next: ISchedulePreview;
    try {
      const times = await this._source(schedule, abort.signal);
      next = { times, error: null, loading: false };
    } catch (reason) {
      next = { times: [], error: errorMessage(reason), loading: false };
    }
    if (abort.signal.aborted || this._disposed) {
      return;
    }
    this._abort = null;
    this._state = next;
    this._changed.emit();
  }

  private _cancel(): void {
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
    this._abort?.abort();
    this._abort = null;
  }

  private _source: SchedulePreviewSource;
  private _delay: number;
  private _state: ISchedulePreview = NOTHING;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _abort: AbortController | null = null;
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
}
