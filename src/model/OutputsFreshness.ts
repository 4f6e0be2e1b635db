/**
 * Whether each step's outputs are up to date, from the server's plan of the
 * pipeline file (its fingerprints: the step's code, parameters, environment
 * and parents). A step whose file changed since its last successful run is
 * out of date even though that run's status still says "Succeeded".
 *
 * Refreshed (debounced) after runs and when a file of the pipeline is saved;
 * answers that arrive after a newer request are ignored.
 */
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import type { IExecutionPlan, IPlanRequest } from '../api';

/** The state of one step's outputs. */
export interface IStepFreshness {
  upToDate: boolean;
  /** Why it is out of date (null when up to date or unknown). */
  why: string | null;
  /** Whether the step has a stored output. */
  hasOutputs: boolean;
}

/** The call that plans; `OrchestLabAPI.pipelines.plan` in the app. */
export type Planner = (request: IPlanRequest) => Promise<IExecutionPlan>;

/** Freshness of the steps of one pipeline file. */
export class OutputsFreshness implements IDisposable {
  constructor(options: OutputsFreshness.IOptions) {
    this._plan = options.plan;
    this._path = options.path;
    this._delay = options.delay ?? 250;
  }

  /** Emitted when the known states change. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The states by step uuid (empty until known, or when unknowable). */
  get steps(): ReadonlyMap<string, IStepFreshness> {
    return this._steps;
  }

  /** The steps whose outputs are not up to date. */
  get outdated(): string[] {
    return [...this._steps]
      .filter(([, state]) => !state.upToDate)
      .map(([uuid]) => uuid);
  }

  /** The pipeline file (relative to the server root). */
  get path(): string {
    return this._path;
  }

  set path(value: string) {
    if (value !== this._path) {
      this._path = value;
      this.schedule();
    }
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Refresh after the debounce delay (calls in between are merged). */
  schedule(): void {
    if (this._isDisposed) {
      return;
    }
    if (this._timer !== null) {
      clearTimeout(this._timer);
    }
    this._timer = setTimeout(() => {
      this._timer = null;
      void this.refresh();
    }, this._delay);
  }

  /** Ask the server now. */
  async refresh(): Promise<void> {
    if (this._isDisposed) {
      return;
    }
    const request = ++this._request;
    let next = new Map<string, IStepFreshness>();
    try {
      const plan = await this._plan({ path: this._path, mode: 'full' });
      for (const step of plan.data ?? []) {
        next.set(step.uuid, {
          upToDate: step.up_to_date,
          why: step.why,
          hasOutputs: step.outputs === 'available'
        });
      }
    } catch {
      // An invalid or unsaved pipeline has no plan: nothing is known.
      next = new Map();
    }
    if (request !== this._request || this._isDisposed) {
      return;
    }
    if (!sameStates(this._steps, next)) {
      this._steps = next;
      this._changed.emit();
    }
  }

  dispose(): void {
    if (this._timer !== null) {
      clearTimeout(this._timer);
    }
    this._isDisposed = true;
    Signal.clearData(this);
  }

  private _plan: Planner;
  private _path: string;
  private _delay: number;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _request = 0;
  private _steps: Map<string, IStepFreshness> = new Map();
  private _changed = new Signal<this, void>(this);
  private _isDisposed = false;
}

export namespace OutputsFreshness {
  export interface IOptions {
    plan: Planner;
    path: string;
    /** Debounce delay of {@link OutputsFreshness.schedule}, in milliseconds. */
    delay?: number;
  }
}

function sameStates(
  a: ReadonlyMap<string, IStepFreshness>,
  b: ReadonlyMap<string, IStepFreshness>
): boolean {
  if (a.size !== b.size) {
    return false;
  }
  for (const [uuid, state] of a) {
    const other = b.get(uuid);
    if (
      !other ||
      other.upToDate !== state.upToDate ||
      other.why !== state.why ||
      other.hasOutputs !== state.hasOutputs
    ) {
      return false;
    }
  }
  return true;
}

/**
 * Whether a saved file (server path) can change a pipeline's freshness:
 * any file but the run's own bookkeeping under `.orchest/` (step files may
 * lie outside the pipeline's folder, so the folder is not a bound).
 */
export function affectsFreshness(savedPath: string): boolean {
  return !savedPath.split('/').includes('.orchest');
}

/** A file change as JupyterLab's contents manager tells it. */
export interface IFileChange {
  type: string;
  oldPath?: string | null;
  newPath?: string | null;
}

/**
 * What a file change may outdate for the pipeline at `pipelinePath` in
 * `folder`: its data labels (a file saved in its folder) and its plan (any
 * change outside `.orchest/`, but not the pipeline file's own deletion).
 */
export function outdatedBy(
  change: IFileChange,
  pipelinePath: string,
  folder: string
): { labels: boolean; plan: boolean } {
  const path = change.newPath ?? change.oldPath;
  if (path === pipelinePath && change.type === 'delete') {
    return { labels: false, plan: false }; // Nothing to plan: the file is gone.
  }
  const labels =
    change.type === 'save' &&
    !!path &&
    path !== pipelinePath &&
    (folder === '' || path.startsWith(`${folder}/`));
  const plan = change.type === 'delete' || !path || affectsFreshness(path);
  return { labels, plan };
}

/** How a step's freshness is shown. */
export type FreshnessKind = 'fresh' | 'never' | 'outdated';

/** The server's reason for a step that never succeeded. */
const NEVER_RAN = 'no successful run is recorded';

/** Classify a step's freshness for display. */
export function freshnessKind(state: IStepFreshness): FreshnessKind {
  if (state.upToDate) {
    return 'fresh';
  }
  return state.why === NEVER_RAN ? 'never' : 'outdated';
}

/** The short label of a freshness kind. */
export function freshnessLabel(kind: FreshnessKind): string {
  switch (kind) {
    case 'fresh':
      return 'Up to date';
    case 'never':
      return 'Not run yet';
    default:
      return 'Outdated';
  }
}
