/**
 * Posix path helpers for server paths (relative to the server root) and step
 * file paths (relative to the pipeline file's folder).
 */

/** Collapse `.`, `..` and repeated slashes; keeps leading `..` it cannot resolve. */
export function normalizePath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') {
      continue;
    }
    if (part === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') {
      parts.pop();
    } else {
      parts.push(part);
    }
  }
  return parts.join('/');
}

/** `dir` joined with `relative`, normalized ('' is the root). */
export function joinPath(dir: string, relative: string): string {
  return normalizePath(dir ? `${dir}/${relative}` : relative);
}

/** The folder of a path ('' at the root). */
export function folderOf(path: string): string {
  const normalized = normalizePath(path);
  const index = normalized.lastIndexOf('/');
  return index === -1 ? '' : normalized.slice(0, index);
}

/** The last part of a path. */
export function baseName(path: string): string {
  return path.split('/').pop() ?? path;
}

/** A file name without its extension: `data/load.ipynb` -> `load`. */
export function stem(path: string): string {
  const base = baseName(path);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** The path of `target` relative to the folder `fromDir` (both from the root). */
export function relativePath(fromDir: string, target: string): string {
  const from = normalizePath(fromDir).split('/').filter(Boolean);
  const to = normalizePath(target).split('/').filter(Boolean);
  let common = 0;
  while (
    common < from.length &&
    common < to.length &&
    from[common] === to[common]
  ) {
    common++;
  }
  const up = from.slice(common).map(() => '..');
  return [...up, ...to.slice(common)].join('/');
}

/** How a project (its folder, '' for the root) is named in messages. */
export function projectLabel(project: string): string {
  return project === '' ? 'the server root' : `'${project}'`;
}

/** `<base><n><extension>` with the smallest n ≥ 1 not among `names`. */
export function firstUnusedName(
  names: ReadonlySet<string>,
  base: string,
  extension: string
): string {
  for (let i = 1; ; i++) {
    const name = `${base}${i}${extension}`;
    if (!names.has(name)) {
      return name;
    }
  }
}
