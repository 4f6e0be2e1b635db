/**
 * Edits made to a notebook while a run executes it are kept. When the step
 * ends, the run has written the notebook on disk (the sources it started
 * with, its outputs); the open notebook has the user's unsaved edits. The
 * document then takes the file the run wrote (so JupyterLab knows the file
 * as it is on disk and a save never asks "File Changed") with the user's
 * edits put back on top: the user's cells and sources, the run's outputs.
 */

/** The parts of an nbformat notebook this reads. */
export interface INotebookLike {
  cells: ICellLike[];
  metadata: Record<string, unknown>;
  [key: string]: unknown;
}

/** The parts of an nbformat cell this reads. */
export interface ICellLike {
  id?: string;
  cell_type: string;
  [key: string]: unknown;
}

/**
 * The user's notebook (`edited`) with the outputs and execution counts the
 * run wrote (`written`) for the code cells both have (matched by id, or by
 * position when the cells have no ids and their number did not change).
 */
export function keepEditsOverRun(
  edited: INotebookLike,
  written: INotebookLike
): INotebookLike {
  const byId = new Map<string, ICellLike>();
  for (const cell of written.cells) {
    if (cell.id) {
      byId.set(cell.id, cell);
    }
  }
  const samePositions = edited.cells.length === written.cells.length;
  const cells = edited.cells.map((cell, index) => {
    if (cell.cell_type !== 'code') {
      return cell;
    }
    const ran =
      (cell.id ? byId.get(cell.id) : undefined) ??
      (!cell.id && samePositions ? written.cells[index] : undefined);
    if (!ran || ran.cell_type !== 'code') {
      return cell;
    }
    return {
      ...cell,
      outputs: ran.outputs ?? [],
      execution_count: ran.execution_count ?? null
    };
  });
  return {
    ...written,
    ...edited,
    metadata: { ...written.metadata, ...edited.metadata },
    cells
  };
}
