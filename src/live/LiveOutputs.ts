/**
 * Live outputs in open notebooks. While a run executes a notebook that is
 * open, each cell event from the server updates that cell's outputs and
 * execution count in the notebook's model (appending what an event says is
 * new, or replacing the outputs an event carries whole), without leaving the
 * model dirty (so autosave never writes what the run is writing). When the step ends,
 * the notebook is reloaded from the file the run wrote. Edits the user made
 * meanwhile are kept: they are put back on top of the reloaded file (the
 * user's cells and sources, the run's outputs), still unsaved. Either way
 * JupyterLab then knows the file as it is on disk, so saving never shows
 * the "File Changed" dialog.
 */
import { DocumentRegistry } from '@jupyterlab/docregistry';
import { INotebookModel } from '@jupyterlab/notebook';
import { IDisposable } from '@lumino/disposable';

import {
  ICellAppend,
  ICellEvent,
  IStepEvent,
  isCellEvent,
  isStepEvent
} from '../model/events';
import { Output, diffOutputs, findCellIndex, joinText } from '../model/outputs';
import { INotebookLike, keepEditsOverRun } from '../model/keepEdits';
import { isEnded } from '../model/runState';
import { notebookCodeDiffers } from '../model/unsavedCode';
import { ShownCellEvents } from '../model/shownCellEvents';

/** A notebook document open in JupyterLab. */
export type NotebookContext = DocumentRegistry.IContext<INotebookModel>;

/** What {@link LiveOutputs} needs from the application. */
export interface ILiveOutputsOptions {
  /** The open notebook documents of a path (relative to the server root). */
  findNotebooks: (path: string) => NotebookContext[];
  /**
   * The notebook a step of a run writes, for a step that ends before any of
   * its cell events arrived (null when unknown or not a notebook).
   */
  notebookOfStep?: (runId: string, stepUuid: string) => string | null;
  /**
   * Told when the user's unsaved edits of a notebook were put back on top
   * of the file the run wrote.
   */
  onEditsKept?: (context: NotebookContext) => void;
  /** Told after a cell event was applied to an open notebook (for tests/metrics). */
  onApplied?: (event: ICellEvent) => void;
}

/** Applies live events to open notebooks. */
export class LiveOutputs implements IDisposable {
  constructor(options: ILiveOutputsOptions) {
    this._options = options;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Handle a message from the server's event bus. */
  handleEvent(message: unknown): void {
    if (this._isDisposed) {
      return;
    }
    if (isCellEvent(message)) {
      this._onCell(message);
    } else if (isStepEvent(message) && isEnded(message.status)) {
      void this._onStepEnded(message);
    }
  }

  dispose(): void {
    this._isDisposed = true;
    this._written.clear();
  }

  private _onCell(event: ICellEvent): void {
    const key = stepKey(event.run_id, event.step_uuid);
    const paths = this._written.get(key) ?? new Set<string>();
    paths.add(event.path);
    this._written.set(key, paths);
    for (const context of this._options.findNotebooks(event.path)) {
      if (applyCellEvent(context.model, event, this._shownIn(context.model))) {
        this._options.onApplied?.(event);
      }
    }
  }

  private async _onStepEnded(event: IStepEvent): Promise<void> {
    const key = stepKey(event.run_id, event.step_uuid);
    const paths = new Set(this._written.get(key) ?? []);
    this._written.delete(key);
    const own = this._options.notebookOfStep?.(event.run_id, event.step_uuid);
    if (own) {
      paths.add(own);
    }
    const contexts = [...paths].flatMap(path =>
      this._options.findNotebooks(path)
    );
    for (const context of contexts) {
      this._shown.get(context.model)?.forgetStep(event.run_id, event.step_uuid);
      try {
        await this._reload(context);
      } catch (reason) {
        console.warn(
          `orchest-lab: could not reload ${context.localPath}`,
          reason
        );
      }
    }
  }

  /** Reload a notebook from disk, keeping the user's unsaved edits. */
  private async _reload(context: NotebookContext): Promise<void> {
    const edited = context.model.dirty
      ? (context.model.toJSON() as unknown as INotebookLike)
      : null;
    await context.revert();
    if (!edited) {
      return;
    }
    const written = context.model.toJSON() as unknown as INotebookLike;
    if (!notebookCodeDiffers(edited, written)) {
      return; // Only outputs or metadata changed: the run's file is it.
    }
    context.model.fromJSON(keepEditsOverRun(edited, written) as any);
    context.model.dirty = true;
    this._options.onEditsKept?.(context);
  }

  private _shownIn(model: INotebookModel): ShownCellEvents {
    let shown = this._shown.get(model);
    if (!shown) {
      shown = new ShownCellEvents();
      this._shown.set(model, shown);
    }
    return shown;
  }

  private _options: ILiveOutputsOptions;
  private _shown = new WeakMap<INotebookModel, ShownCellEvents>();
  private _written = new Map<string, Set<string>>();
  private _isDisposed = false;
}

function stepKey(runId: string, stepUuid: string): string {
  return `${runId}/${stepUuid}`;
}

/** Stream texts as one string (the shared model expects that). */
function prepare(outputs: readonly Output[]): Output[] {
  return outputs.map(output =>
    output.output_type === 'stream'
      ? { ...output, text: joinText(output.text) }
      : output
  );
}

/**
 * Show a cell event in a notebook model, keeping its dirty state as it was.
 * Returns whether it was shown: the notebook has that cell and, for an event
 * that carries only what is new, showed the event it continues (`shown`
 * keeps track; without it such events are not shown).
 */
export function applyCellEvent(
  model: INotebookModel,
  event: ICellEvent,
  shown?: ShownCellEvents
): boolean {
  const cells = model.cells;
  const ids: (string | undefined)[] = [];
  for (let i = 0; i < cells.length; i++) {
    ids.push(cells.get(i).id);
  }
  const index = findCellIndex(ids, event.cell_id, event.index);
  if (index === -1) {
    return false;
  }
  const cell = cells.get(index);
  if (cell.type !== 'code') {
    return false;
  }
  const shared = cell.sharedModel as any;
  const append = event.append;
  if (append && !(shown?.accepts(event) && isStreamAt(shared, append.output))) {
    shown?.missed(event);
    return false;
  }
  const wasDirty = model.dirty;
  try {
    if (append) {
      showAppend(shared, append, event.outputs as Output[]);
    } else {
      showWhole(shared, event.outputs as Output[]);
    }
    shown?.shown(event);
    const count = event.execution_count ?? null;
    if (count !== null && shared.execution_count !== count) {
      shared.execution_count = count;
    }
    const state = event.state === 'running' ? 'running' : 'idle';
    if ('executionState' in shared && shared.executionState !== state) {
      shared.executionState = state;
    }
  } finally {
    if (!wasDirty && model.dirty) {
      model.dirty = false;
    }
  }
  return true;
}

/** Replace a cell's outputs with `outputs`, changing as little as it can. */
function showWhole(shared: any, outputs: Output[]): void {
  const next = prepare(outputs);
  const change = diffOutputs(shared.getOutputs() as Output[], next);
  if (
    change.kind === 'append' &&
    typeof shared.appendStreamOutput === 'function'
  ) {
    shared.appendStreamOutput(change.index, change.text);
  } else if (change.kind === 'append' || change.kind === 'replace') {
    const start = change.kind === 'replace' ? change.start : change.index;
    const end = change.kind === 'replace' ? change.end : change.index + 1;
    shared.updateOutputs(start, end, next.slice(start));
  }
}

/** Grow stream output `append.output` and put `after` after it. */
function showAppend(shared: any, append: ICellAppend, after: Output[]): void {
  if (append.text) {
    if (typeof shared.appendStreamOutput === 'function') {
      shared.appendStreamOutput(append.output, append.text);
    } else {
      const [output] = shared.getOutputs().slice(append.output);
      const text = joinText(output.text) + append.text;
      shared.updateOutputs(append.output, append.output + 1, [
        { ...output, text }
      ]);
    }
  }
  const count = outputCount(shared);
  if (after.length > 0 || count > append.output + 1) {
    shared.updateOutputs(append.output + 1, count, prepare(after));
  }
}

/** The number of outputs a cell shows, without copying them when it can. */
function outputCount(shared: any): number {
  return shared.youtputs?.length ?? (shared.getOutputs() as Output[]).length;
}

/** Whether a cell's output `index` is a stream, without copying its text when it can. */
function isStreamAt(shared: any, index: number): boolean {
  if (index < 0 || index >= outputCount(shared)) {
    return false;
  }
  const youtput = shared.youtputs?.get(index);
  const type = youtput
    ? youtput.get('output_type')
    : (shared.getOutputs() as Output[])[index].output_type;
  return type === 'stream';
}
