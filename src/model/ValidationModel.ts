/**
 * The validation state of one open pipeline: asks the server to validate the
 * current text (debounced), keeps the latest answer and ignores stale ones.
 */
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import type { IIssue, IPipelineSource, IValidationResult } from '../api';
import { errorMessage } from './errorMessage';

/** Where validation stands. */
export type ValidationStatus =
  /** Nothing validated yet. */
  | 'idle'
  /** A validation is scheduled or running; the previous issues are still shown. */
  | 'pending'
  /** The server found no errors (there may be warnings). */
  | 'valid'
  /** The server found errors. */
  | 'invalid'
  /** The server could not validate (unreachable, error status). */
  | 'failed';

/** The call that validates; `OrchestLabAPI.pipelines.validate` in the app. */
export type Validator = (
  source: IPipelineSource,
  signal: AbortSignal
) => Promise<IValidationResult>;

/** Debounced validation of a pipeline against the server. */
export class ValidationModel implements IDisposable {
  constructor(options: ValidationModel.IOptions) {
    this._validator = options.validate;
    this._delay = options.delay ?? 300;
    this._localIssues = options.localIssues ?? (() => []);
  }

  /** Emitted whenever status, issues or error change. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get status(): ValidationStatus {
    return this._status;
  }

  /**
   * The issues to show: the server's latest answer, or, when the server
   * could not validate, the issues found locally (a JSON syntax error).
   */
  get issues(): readonly IIssue[] {
    return this._issues;
  }

  /** Why the server could not validate, when status is 'failed'. */
  get error(): string | null {
    return this._error;
  }

  /** Debounce delay of {@link schedule}, in milliseconds. */
  get delay(): number {
    return this._delay;
  }
  set delay(value: number) {
    this._delay = Math.max(0, value);
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Validate `source` after the debounce delay; a later call replaces it. */
  schedule(source: IPipelineSource): void {
    if (this._isDisposed) {
      return;
    }
    this._clearTimer();
    this._setPending();
    this._timer = setTimeout(() => {
      this._timer = null;
      void this.validate(source);
    }, this._delay);
  }

  /** Validate `source` now, cancelling any scheduled or running validation. */
  async validate(source: IPipelineSource): Promise<void> {
    if (this._isDisposed) {
      return;
    }
    this._clearTimer();
    this._abort?.abort();
    const abort = new AbortController();
    this._abort = abort;
    const generation = ++this._generation;
    this._setPending();
    let result: IValidationResult;
    try {
      result = await this._validator(source, abort.signal);
    } catch (reason) {
      if (generation !== this._generation || this._isDisposed) {
        return; // superseded
      }
      this._abort = null;
      this._status = 'failed';
      this._error = errorMessage(reason);
      this._issues = this._localIssues();
      this._changed.emit();
      return;
    }
    if (generation !== this._generation || this._isDisposed) {
      return;
    }
    this._abort = null;
    this._issues = Array.isArray(result.issues) ? result.issues : [];
    this._status = result.valid ? 'valid' : 'invalid';
    this._error = null;
    this._changed.emit();
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._clearTimer();
    this._abort?.abort();
    this._generation++;
    Signal.clearData(this);
  }

  private _setPending(): void {
    if (this._status !== 'pending') {
      this._status = 'pending';
      this._changed.emit();
    }
  }

  private _clearTimer(): void {
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
  }

  private _validator: Validator;
  private _delay: number;
  private _localIssues: () => IIssue[];
  private _status: ValidationStatus = 'idle';
  private _issues: readonly IIssue[] = [];
  private _error: string | null = null;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _abort: AbortController | null = null;
  private _generation = 0;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
}

export namespace ValidationModel {
  export interface IOptions {
    /** Validates a pipeline source. */
    validate: Validator;
    /** Debounce delay of {@link ValidationModel.schedule} in ms (default 300). */
    delay?: number;
    /** Issues to show when the server cannot validate. */
    localIssues?: () => IIssue[];
  }
}
