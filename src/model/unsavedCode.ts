/**
 * Whether an open document's unsaved changes matter to a run. A run executes
 * what is on disk, so only a difference in what it executes matters: for a
 * notebook its cells (type and source), for a script its text. A notebook
 * JupyterLab just opened is often "dirty" only because the kernel filled in
 * its metadata (language version); that is no reason to ask the user.
 */

/** A notebook cell as nbformat stores it (the parts compared). */
interface ICellLike {
  cell_type?: unknown;
  source?: unknown;
}

/** nbformat multiline text as one string. */
function text(source: unknown): string {
  if (Array.isArray(source)) {
    return source.join('');
  }
  return typeof source === 'string' ? source : '';
}

/** The cells of notebook JSON (parsed or text), or null when not a notebook. */
function cellsOf(notebook: unknown): ICellLike[] | null {
  let value = notebook;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return null;
    }
  }
  const cells = (value as { cells?: unknown } | null)?.cells;
  return Array.isArray(cells) ? (cells as ICellLike[]) : null;
}

/**
 * Whether a notebook's cells differ in type or source from those on disk.
 * Unknown shapes count as different (the user is asked, as before).
 */
export function notebookCodeDiffers(open: unknown, onDisk: unknown): boolean {
  const a = cellsOf(open);
  const b = cellsOf(onDisk);
  if (!a || !b || a.length !== b.length) {
    return true;
  }
  return a.some(
    (cell, i) =>
      cell.cell_type !== b[i].cell_type ||
      text(cell.source) !== text(b[i].source)
  );
}

/**
 * Whether an open document differs from its file on disk in what a run
 * executes. `open` is the document's content (notebook JSON or text),
 * `onDisk` the file's content from the server.
 */
export function runnableContentDiffers(
  path: string,
  open: unknown,
  onDisk: unknown
): boolean {
  if (path.endsWith('.ipynb')) {
    return notebookCodeDiffers(open, onDisk);
  }
  return typeof open !== 'string' || open !== onDisk;
}
