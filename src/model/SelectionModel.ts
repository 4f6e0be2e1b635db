/**
 * The selection of a pipeline editor: selected steps and connections.
 * Shared by the canvas (which changes it) and the commands (which read it).
 */
import { ISignal, Signal } from '@lumino/signaling';

/** Which steps and connections are selected. */
export class SelectionModel {
  /** Emitted when the selection changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Selected step uuids, in selection order. */
  get steps(): readonly string[] {
    return this._steps;
  }

  /** Selected connection ids (`<source>-><target>`). */
  get edges(): readonly string[] {
    return this._edges;
  }

  /** Whether nothing is selected. */
  get isEmpty(): boolean {
    return this._steps.length === 0 && this._edges.length === 0;
  }

  /** Whether a step is selected. */
  has(uuid: string): boolean {
    return this._stepSet.has(uuid);
  }

  /** Replace the selection; no signal when it does not change. */
  set(steps: readonly string[], edges: readonly string[] = []): void {
    const newSteps = [...new Set(steps)];
    const newEdges = [...new Set(edges)];
    if (sameItems(newSteps, this._steps) && sameItems(newEdges, this._edges)) {
      return;
    }
    this._steps = newSteps;
    this._edges = newEdges;
    this._stepSet = new Set(newSteps);
    this._changed.emit();
  }

  /** Forget steps and connections that no longer exist. */
  retain(steps: ReadonlySet<string>, edges: ReadonlySet<string>): void {
    this.set(
      this._steps.filter(uuid => steps.has(uuid)),
      this._edges.filter(id => edges.has(id))
    );
  }

  /** Select nothing. */
  clear(): void {
    this.set([], []);
  }

  private _steps: string[] = [];
  private _edges: string[] = [];
  private _stepSet = new Set<string>();
  private _changed = new Signal<this, void>(this);
}

function sameItems(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) {
    return false;
  }
  const set = new Set(b);
  return a.every(item => set.has(item));
}
