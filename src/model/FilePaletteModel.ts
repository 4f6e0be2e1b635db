/**
 * The file palette beside the canvas: the notebooks and scripts of the
 * pipeline's folder and its subfolders (hidden folders left out), found
 * through a folder-listing function, and filtered by what the user types.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { isStepFile } from './edits';
import { errorMessage } from './errorMessage';

/** An entry of a folder, as the contents API gives it. */
export interface IFolderEntry {
  name: string;
  /** Relative to the server root. */
  path: string;
  type: string;
}

/** Lists a folder (server path). */
export type ListFolder = (path: string) => Promise<readonly IFolderEntry[]>;

/** How deep, and how many files, the palette looks. */
export const PALETTE_MAX_DEPTH = 4;
export const PALETTE_MAX_FILES = 500;

/** Folders never searched: hidden ones and tool caches. */
const SKIPPED_FOLDERS = new Set([
  'node_modules',
  '__pycache__',
  'venv',
  'site-packages'
]);

/** Whether a folder is searched for step files. */
export function searchedFolder(name: string): boolean {
  return !name.startsWith('.') && !SKIPPED_FOLDERS.has(name);
}

/**
 * Whether `path` matches a filter: every word of the filter appears in it
 * (case-insensitive), so "train nb" finds "models/train.ipynb".
 */
export function matchesFilter(path: string, filter: string): boolean {
  const lower = path.toLowerCase();
  return filter
    .toLowerCase()
    .split(/\s+/)
    .filter(word => word.length > 0)
    .every(word => lower.includes(word));
}

/**
 * The step files under `root`, breadth first (the folder's own files
 * first), sorted within each folder, at most `PALETTE_MAX_FILES`.
 */
export async function findStepFiles(
  root: string,
  list: ListFolder
): Promise<{ files: string[]; truncated: boolean }> {
  const files: string[] = [];
  let folders = [root];
  for (let depth = 0; depth <= PALETTE_MAX_DEPTH && folders.length; depth++) {
    const next: string[] = [];
    for (const folder of folders) {
      const entries = [...(await list(folder))].sort((a, b) =>
        a.name.localeCompare(b.name)
      );
      for (const entry of entries) {
        if (entry.type === 'directory') {
          if (searchedFolder(entry.name)) {
            next.push(entry.path);
          }
        } else if (isStepFile(entry.name)) {
          files.push(entry.path);
          if (files.length >= PALETTE_MAX_FILES) {
            return { files, truncated: true };
          }
        }
      }
    }
    folders = next;
  }
  return { files, truncated: false };
}

/** The palette's state: the files found, the filter, loading and errors. */
export class FilePaletteModel {
  constructor(list: ListFolder | null) {
    this._list = list;
  }

  /** Emitted when anything shown changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Whether the palette can list files at all. */
  get available(): boolean {
    return this._list !== null;
  }

  /** Every step file found (server paths). */
  get files(): readonly string[] {
    return this._files;
  }

  /** The files matching the filter. */
  get shown(): readonly string[] {
    return this._files.filter(path =>
      matchesFilter(this._relative(path), this._filter)
    );
  }

  get filter(): string {
    return this._filter;
  }

  set filter(value: string) {
    if (value !== this._filter) {
      this._filter = value;
      this._changed.emit();
    }
  }

  get loading(): boolean {
    return this._loading;
  }

  get error(): string | null {
    return this._error;
  }

  /** Whether more files exist than are listed. */
  get truncated(): boolean {
    return this._truncated;
  }

  /** The folder whose files are listed. */
  get root(): string {
    return this._root;
  }

  /** A file's path as shown: relative to the listed folder. */
  label(path: string): string {
    return this._relative(path);
  }

  /** List the step files under `root` (again). */
  async load(root: string): Promise<void> {
    if (!this._list) {
      return;
    }
    this._root = root;
    const request = ++this._request;
    this._loading = true;
    this._changed.emit();
    try {
      const found = await findStepFiles(root, this._list);
      if (request !== this._request) {
        return;
      }
      this._files = found.files;
      this._truncated = found.truncated;
      this._error = null;
    } catch (reason) {
      if (request !== this._request) {
        return;
      }
      this._error = `Could not list the files: ${errorMessage(reason)}`;
    }
    this._loading = false;
    this._changed.emit();
  }

  private _relative(path: string): string {
    return this._root && path.startsWith(`${this._root}/`)
      ? path.slice(this._root.length + 1)
      : path;
  }

  private _list: ListFolder | null;
  private _root = '';
  private _files: string[] = [];
  private _filter = '';
  private _loading = false;
  private _error: string | null = null;
  private _truncated = false;
  private _request = 0;
  private _changed = new Signal<this, void>(this);
}
