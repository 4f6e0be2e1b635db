/**
 * The selection of a pipeline editor: selected steps, connections and notes.
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

  /** Selected note uuids (notes on the canvas are not steps). */
  get notes(): readonly string[] {
    return this._notes;
  }

  /** Whether nothing is selected. */
  get isEmpty(): boolean {
    return (
      this._steps.length === 0 &&
      this._edges.length === 0 &&
      this._notes.length === 0
    );
  }

  /** Whether a step is selected. */
  has(uuid: string): boolean {
    return this._stepSet.has(uuid);
  }

  /** Replace the selection; no signal when it does not change. */
  set(
    steps: readonly string[],
    edges: readonly string[] = [],
    notes: readonly string[] = []
  ): void {
    const newSteps = [...new Set(steps)];
    const newEdges = [...new Set(edges)];
    const newNotes = [...new Set(notes)];
    if (
      sameItems(newSteps, this._steps) &&
      sameItems(newEdges, this._edges) &&
      sameItems(newNotes, this._notes)
    ) {
      return;
    }
    this._steps = newSteps;
    this._edges = newEdges;
    this._notes = newNotes;
    this._stepSet = new Set(newSteps);
    this._changed.emit();
  }

  /** Forget steps, connections and notes that no longer exist. */
  retain(
    steps: ReadonlySet<string>,
    edges: ReadonlySet<string>,
    notes: ReadonlySet<string> = new Set()
  ): void {
    this.set(
      this._steps.filter(uuid => steps.has(uuid)),
      this._edges.filter(id => edges.has(id)),
      this._notes.filter(uuid => notes.has(uuid))
    );
  }

  /** Select nothing. */
  clear(): void {
    this.set([], []);
  }

  private _steps: string[] = [];
  private _edges: string[] = [];
  private _notes: string[] = [];
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
