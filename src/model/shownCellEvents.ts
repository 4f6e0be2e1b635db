/**
 * Which cell events a notebook has shown. Most events of a running cell
 * carry only what is new since the cell's previous event; such an event is
 * applied only right after the one it continues. A notebook that missed one
 * (opened in the middle of a cell, or its outputs cleared meanwhile) waits
 * for the next event that carries the cell's whole outputs.
 */
import { ICellEvent } from './events';

export class ShownCellEvents {
  /** Whether `event` can be shown now. */
  accepts(event: ICellEvent): boolean {
    if (!event.append) {
      return true;
    }
    const last = this._steps.get(stepKey(event))?.get(event.index);
    return event.seq !== undefined && last === event.seq - 1;
  }

  /** `event` was shown. */
  shown(event: ICellEvent): void {
    const key = stepKey(event);
    const cells = this._steps.get(key) ?? new Map<number, number>();
    if (event.seq === undefined) {
      cells.delete(event.index);
    } else {
      cells.set(event.index, event.seq);
    }
    this._steps.set(key, cells);
  }

  /**
   * `event` could not be shown: the cell waits for its whole outputs (unless
   * the event is one it showed already).
   */
  missed(event: ICellEvent): void {
    const cells = this._steps.get(stepKey(event));
    const last = cells?.get(event.index);
    if (last !== undefined && event.seq !== undefined && last >= event.seq) {
      return;
    }
    cells?.delete(event.index);
  }

  /** A step ended: its cells send no more events. */
  forgetStep(runId: string, stepUuid: string): void {
    this._steps.delete(`${runId}/${stepUuid}`);
  }

  private _steps = new Map<string, Map<number, number>>();
}

function stepKey(event: ICellEvent): string {
  return `${event.run_id}/${event.step_uuid}`;
}
