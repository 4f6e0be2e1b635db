/**
 * The pipelines under the server root, for the Pipelines sidebar: loaded
 * from the server, reloaded when asked (file changes, the refresh button).
 */
import { ISignal, Signal } from '@lumino/signaling';

import type { IPipelineSummary } from '../api';
import { errorMessage } from './errorMessage';

/** Lists pipelines (`api.pipelines.list` in the app). */
export type PipelineLister = () => Promise<IPipelineSummary[]>;

/** The list of pipelines. */
export class PipelineListModel {
  constructor(lister: PipelineLister) {
    this._lister = lister;
  }

  /** Emitted when the list, the loading state or the error changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The pipelines, by path. */
  get pipelines(): readonly IPipelineSummary[] {
    return this._pipelines;
  }

  /** Whether a load is under way. */
  get loading(): boolean {
    return this._loading;
  }

  /** Why the last load failed, or null. */
  get error(): string | null {
    return this._error;
  }

  /** Whether the list was loaded at least once. */
  get loaded(): boolean {
    return this._loaded;
  }

  /** Reload the list (a reload asked while one runs makes one more). */
  async refresh(): Promise<void> {
    const generation = ++this._generation;
    this._loading = true;
    this._changed.emit();
    try {
      const list = await this._lister();
      if (generation !== this._generation) {
        return;
      }
      this._pipelines = [...list].sort((a, b) => a.path.localeCompare(b.path));
      this._error = null;
      this._loaded = true;
    } catch (reason) {
      if (generation !== this._generation) {
        return;
      }
      this._error = errorMessage(reason);
    }
    this._loading = false;
    this._changed.emit();
  }

  /** Reload after `delay` ms of quiet (for bursts of file changes). */
  refreshSoon(delay = 500): void {
    if (this._timer !== null) {
      clearTimeout(this._timer);
    }
    this._timer = setTimeout(() => {
      this._timer = null;
      void this.refresh();
    }, delay);
  }

  private _lister: PipelineLister;
  private _pipelines: IPipelineSummary[] = [];
  private _loading = false;
  private _loaded = false;
  private _error: string | null = null;
  private _generation = 0;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _changed = new Signal<this, void>(this);
}
