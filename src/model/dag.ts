/**
 * Graph operations on a pipeline's steps: ancestors, descendants, cycle
 * checks for new connections, and which steps a run mode executes. Pure.
 */
import type { RunMode } from '../api';

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

/** Parents of each step. */
function parentsOf(edges: readonly IConnection[]): Map<string, string[]> {
  return childrenOf(edges.map(e => ({ source: e.target, target: e.source })));
}

/** Every step reachable from `starts` along `next` (the starts included). */
function reach(
  starts: Iterable<string>,
  next: Map<string, string[]>
): Set<string> {
  const seen = new Set<string>();
  const stack = [...starts];
  while (stack.length > 0) {
    const uuid = stack.pop()!;
    if (seen.has(uuid)) {
      continue;
    }
    seen.add(uuid);
    for (const other of next.get(uuid) ?? []) {
      if (!seen.has(other)) {
        stack.push(other);
      }
    }
  }
  return seen;
}

/** The steps and all their ancestors. */
export function withAncestors(
  steps: Iterable<string>,
  edges: readonly IConnection[]
): Set<string> {
  return reach(steps, parentsOf(edges));
}

/** The steps and all their descendants. */
export function withDescendants(
  steps: Iterable<string>,
  edges: readonly IConnection[]
): Set<string> {
  return reach(steps, childrenOf(edges));
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
  /** `path` goes from the new child back to the new parent. */
  | { kind: 'cycle'; path: string[] };

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
  return path ? { kind: 'cycle', path } : null;
}

/**
 * The steps a run executes: all of them (`full`), the selected ones
 * (`selection`), the selected ones and their ancestors (`incoming`) or
 * their descendants (`downstream`). Unknown uuids are left out.
 */
export function stepsOfRun(
  mode: RunMode,
  selected: Iterable<string>,
  steps: readonly string[],
  edges: readonly IConnection[]
): Set<string> {
  const known = new Set(steps);
  const chosen = [...selected].filter(uuid => known.has(uuid));
  let result: Set<string>;
  switch (mode) {
    case 'full':
      result = new Set(steps);
      break;
    case 'selection':
      result = new Set(chosen);
      break;
    case 'incoming':
      result = withAncestors(chosen, edges);
      break;
    case 'downstream':
      result = withDescendants(chosen, edges);
      break;
  }
  return result;
}
