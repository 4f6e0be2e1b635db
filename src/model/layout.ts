/**
 * Automatic layout of pipeline graphs (left to right) with dagre.
 *
 * Steps that have a position in the file keep it; only steps without one are
 * placed. This module computes positions; it never writes them to the file.
 */
import { Graph, layout } from '@dagrejs/dagre';

import { IEdge, IStep } from './PipelineModel';
import { Position } from './pipeline';

/** Sizes and spacing the layout works with, in canvas pixels. */
export interface ILayoutOptions {
  /** Width of a step node. */
  nodeWidth: number;
  /** Height of a step node. */
  nodeHeight: number;
  /** Horizontal gap between ranks (columns). */
  rankSeparation: number;
  /** Vertical gap between nodes of a rank. */
  nodeSeparation: number;
}

/**
 * Above this many steps, dagre ranks with its fast `tight-tree` ranker
 * instead of `network-simplex` (about 3 times faster on 500 steps, slightly
 * less compact).
 */
export const LARGE_GRAPH = 200;

/**
 * Long graphs are wrapped into rows (like lines of text) when they have more
 * than this many ranks (columns) and would be much wider than high.
 */
export const WRAP_MIN_RANKS = 12;
/** The width:height ratio wrapped layouts aim at (a canvas's, roughly). */
export const WRAP_ASPECT = 1.6;

/** Default sizes; they match the step node's CSS. */
export const DEFAULT_LAYOUT: ILayoutOptions = {
  nodeWidth: 200,
  nodeHeight: 64,
  rankSeparation: 90,
  nodeSeparation: 40
};

/**
 * Left-to-right dagre positions (top-left corners) of every step, ignoring
 * the positions stored in the file.
 */
export function computeLayout(
  steps: readonly IStep[],
  edges: readonly IEdge[],
  options: ILayoutOptions = DEFAULT_LAYOUT
): Map<string, Position> {
  const graph = new Graph({ multigraph: false });
  graph.setGraph({
    ranker: steps.length > LARGE_GRAPH ? 'tight-tree' : 'network-simplex',
    rankdir: 'LR',
    ranksep: options.rankSeparation,
    nodesep: options.nodeSeparation,
    marginx: 0,
    marginy: 0
  });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const step of steps) {
    graph.setNode(step.uuid, {
      width: options.nodeWidth,
      height: options.nodeHeight
    });
  }
  for (const edge of edges) {
    graph.setEdge(edge.source, edge.target);
  }
  layout(graph);
  const positions = new Map<string, Position>();
  for (const step of steps) {
    const node = graph.node(step.uuid) as { x: number; y: number };
    // dagre gives node centres; the canvas and the file use top-left corners.
    positions.set(step.uuid, [
      Math.round(node.x - options.nodeWidth / 2),
      Math.round(node.y - options.nodeHeight / 2)
    ]);
  }
  return wrapRanks(positions, options);
}

/**
 * Wrap a left-to-right layout that is far wider than high into rows of
 * ranks, each row below the previous one, so that a long chain fits the
 * view at a readable zoom instead of one row at a tiny one. Layouts with
 * few ranks, or already about as high as wide, are returned unchanged.
 */
export function wrapRanks(
  positions: Map<string, Position>,
  options: ILayoutOptions = DEFAULT_LAYOUT
): Map<string, Position> {
  // dagre puts every node of a rank at the same x.
  const columns = [...new Set([...positions.values()].map(([x]) => x))].sort(
    (a, b) => a - b
  );
  if (columns.length <= WRAP_MIN_RANKS) {
    return positions;
  }
  const ys = [...positions.values()].map(([, y]) => y);
  const top = Math.min(...ys);
  const rowHeight = Math.max(...ys) - top + options.nodeHeight;
  const rowStep = rowHeight + options.rankSeparation;
  const rankWidth = options.nodeWidth + options.rankSeparation;
  // k ranks per row: k * rankWidth ≈ WRAP_ASPECT * (ranks / k) * rowStep.
  const perRow = Math.max(
    WRAP_MIN_RANKS,
    Math.ceil(Math.sqrt((WRAP_ASPECT * columns.length * rowStep) / rankWidth))
  );
  if (perRow >= columns.length) {
    return positions;
  }
  const rankOf = new Map(columns.map((x, index) => [x, index]));
  const wrapped = new Map<string, Position>();
  for (const [uuid, [x, y]] of positions) {
    const rank = rankOf.get(x)!;
    const row = Math.floor(rank / perRow);
    wrapped.set(uuid, [columns[rank % perRow], y + row * rowStep]);
  }
  return wrapped;
}

/**
 * The position of every step: the stored one when there is one, otherwise a
 * dagre position. Placed steps are shifted into the frame of the positioned
 * ones (by the average offset between stored and dagre positions), so a new
 * step lands next to its neighbours rather than at dagre's origin.
 */
export function resolvePositions(
  steps: readonly IStep[],
  edges: readonly IEdge[],
  options: ILayoutOptions = DEFAULT_LAYOUT,
  cache?: LayoutCache
): Map<string, Position> {
  const positions = new Map<string, Position>();
  const missing = steps.filter(step => step.position === null);
  for (const step of steps) {
    if (step.position !== null) {
      positions.set(step.uuid, step.position);
    }
  }
  if (missing.length === 0) {
    return positions;
  }
  const computed = cache
    ? cache.layout(steps, edges, options)
    : computeLayout(steps, edges, options);
  let dx = 0;
  let dy = 0;
  const placed = steps.filter(step => step.position !== null);
  if (placed.length > 0) {
    for (const step of placed) {
      const [x, y] = computed.get(step.uuid)!;
      dx += step.position![0] - x;
      dy += step.position![1] - y;
    }
    dx = Math.round(dx / placed.length);
    dy = Math.round(dy / placed.length);
  }
  for (const step of missing) {
    const [x, y] = computed.get(step.uuid)!;
    positions.set(step.uuid, [x + dx, y + dy]);
  }
  return positions;
}

/**
 * Remembers the last dagre layout, so that edits which do not change the
 * graph's shape (a title, parameters, a moved step) do not lay it out again:
 * dagre takes seconds on hundreds of steps.
 */
export class LayoutCache {
  /** How many layouts were computed (for tests). */
  get computed(): number {
    return this._computed;
  }

  /** dagre positions of every step, computed again only when the graph changed. */
  layout(
    steps: readonly IStep[],
    edges: readonly IEdge[],
    options: ILayoutOptions = DEFAULT_LAYOUT
  ): Map<string, Position> {
    const key = [
      steps.map(step => step.uuid).join(','),
      edges.map(edge => edge.id).join(','),
      JSON.stringify(options)
    ].join('|');
    if (key !== this._key || !this._positions) {
      this._positions = computeLayout(steps, edges, options);
      this._key = key;
      this._computed++;
    }
    return this._positions;
  }

  private _key = '';
  private _positions: Map<string, Position> | null = null;
  private _computed = 0;
}
