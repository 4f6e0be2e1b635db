/**
 * Graph operations on a pipeline's steps: paths along connections and the
 * check of a new connection (which must not close a cycle). Pure.
 */

/** A connection from a parent (`source`) to a child (`target`). */
export interface IConnection {
  readonly source: string;
  readonly target: string;
}

/** Children of each step. */
function childrenOf(edges: readonly IConnection[]): Map<string, string[]> {
  const children = new Map<string, string[]>();
  for (const { source, target } of edges) {
    const list = children.get(source);
    if (list) {
      list.push(target);
    } else {
      children.set(source, [target]);
    }
  }
  return children;
}

/**
 * The path `from` -> ... -> `to` along connections, or null when there is
 * none. Breadth-first, so the path is a shortest one.
 */
export function findPath(
  from: string,
  to: string,
  edges: readonly IConnection[]
): string[] | null {
  const children = childrenOf(edges);
  const previous = new Map<string, string | null>([[from, null]]);
  const queue = [from];
  for (let i = 0; i < queue.length; i++) {
    const uuid = queue[i];
    if (uuid === to) {
      const path: string[] = [];
      for (let at: string | null = to; at !== null; at = previous.get(at)!) {
        path.unshift(at);
      }
      return path;
    }
    for (const child of children.get(uuid) ?? []) {
      if (!previous.has(child)) {
        previous.set(child, uuid);
        queue.push(child);
      }
    }
  }
  return null;
}

/** Why a new connection cannot be made. */
export type ConnectionProblem =
  | { kind: 'self' }
  | { kind: 'duplicate' }
  | { kind: 'unknown-step'; uuid: string }
  /**
   * `path` goes from the new child back to the new parent; `loop` is the
   * cycle the connection would close, closed: parent, child, ..., parent.
   */
  | { kind: 'cycle'; path: string[]; loop: string[] };

/**
 * Check a new connection `source` -> `target` against the existing ones:
 * null when it can be made; otherwise why not (the connection would make a
 * cycle when `target` already leads to `source`).
 */
export function checkConnection(
  source: string,
  target: string,
  edges: readonly IConnection[],
  steps?: ReadonlySet<string>
): ConnectionProblem | null {
  if (steps) {
    for (const uuid of [source, target]) {
      if (!steps.has(uuid)) {
        return { kind: 'unknown-step', uuid };
      }
    }
  }
  if (source === target) {
    return { kind: 'self' };
  }
  if (edges.some(e => e.source === source && e.target === target)) {
    return { kind: 'duplicate' };
  }
  const path = findPath(target, source, edges);
  return path ? { kind: 'cycle', path, loop: [source, ...path] } : null;
}

/**
 * Why a connection cannot be made, as a sentence for the user; `title`
 * names a step (quoted).
 */
export function describeConnectionProblem(
  problem: ConnectionProblem,
  source: string,
  target: string,
  title: (uuid: string) => string
): string {
  switch (problem.kind) {
    case 'self':
      return 'A step cannot be connected to itself.';
    case 'duplicate':
      return `${title(source)} is already connected to ${title(target)}.`;
    case 'unknown-step':
      return `There is no step ${problem.uuid}.`;
    case 'cycle':
      return (
        `Connecting ${title(source)} to ${title(target)} would make a cycle: ` +
        `${problem.loop.map(title).join(' → ')}.`
      );
  }
}
