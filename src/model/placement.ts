/**
 * Where new steps go on the canvas: a free place (overlapping no node) near
 * the middle of the view, or beside the selected steps, preferably inside
 * the visible area. Pure: the canvas gives the rectangles, in canvas pixels.
 */
import { DEFAULT_LAYOUT } from './layout';
import { Position } from './pipeline';

/** A rectangle on the canvas (top-left corner and size). */
export interface IRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** How the search for a free place proceeds. */
export interface IPlacementOptions {
  /** The visible part of the canvas: places inside it are preferred. */
  view?: IRect | null;
  /** Space kept free around every node. */
  gap?: number;
  /** Distance between the places tried. */
  grid?: number;
  /** How many rings of places around the preferred one are tried. */
  maxRings?: number;
}

const DEFAULT_GAP = DEFAULT_LAYOUT.nodeSeparation / 2;
const DEFAULT_GRID = 20;
const DEFAULT_RINGS = 150;

/** Whether two rectangles overlap once `a` is grown by `gap` on every side. */
export function overlaps(a: IRect, b: IRect, gap = 0): boolean {
  return (
    a.x - gap < b.x + b.width &&
    b.x < a.x + a.width + gap &&
    a.y - gap < b.y + b.height &&
    b.y < a.y + a.height + gap
  );
}

/** Whether `inner` lies entirely inside `outer`. */
export function contains(outer: IRect, inner: IRect): boolean {
  return (
    inner.x >= outer.x &&
    inner.y >= outer.y &&
    inner.x + inner.width <= outer.x + outer.width &&
    inner.y + inner.height <= outer.y + outer.height
  );
}

/** The smallest rectangle around some rectangles (null for none). */
export function boundingRect(rects: readonly IRect[]): IRect | null {
  if (rects.length === 0) {
    return null;
  }
  let left = Infinity;
  let top = Infinity;
  let right = -Infinity;
  let bottom = -Infinity;
  for (const rect of rects) {
    left = Math.min(left, rect.x);
    top = Math.min(top, rect.y);
    right = Math.max(right, rect.x + rect.width);
    bottom = Math.max(bottom, rect.y + rect.height);
  }
  return { x: left, y: top, width: right - left, height: bottom - top };
}

/**
 * Where a new block of `size` would ideally go: to the right of the
 * selected nodes (a column further, level with their top), or else centred
 * in the view.
 */
export function preferredPlace(
  size: { width: number; height: number },
  selected: readonly IRect[],
  view: IRect | null
): Position {
  const around = boundingRect(selected);
  if (around) {
    return [around.x + around.width + DEFAULT_LAYOUT.rankSeparation, around.y];
  }
  if (view) {
    return [
      view.x + (view.width - size.width) / 2,
      view.y + (view.height - size.height) / 2
    ];
  }
  return [0, 0];
}

/**
 * The top-left corner nearest to `preferred` where a block of `size`
 * overlaps none of `occupied`: inside the view when such a place exists,
 * otherwise anywhere (the canvas then pans to it).
 */
export function findFreePlace(
  size: { width: number; height: number },
  preferred: Position,
  occupied: readonly IRect[],
  options: IPlacementOptions = {}
): Position {
  const gap = options.gap ?? DEFAULT_GAP;
  const grid = options.grid ?? DEFAULT_GRID;
  const rings = options.maxRings ?? DEFAULT_RINGS;
  const view = options.view ?? null;
  const [px, py] = preferred;
  const free = (rect: IRect) =>
    !occupied.some(other => overlaps(rect, other, gap));
  const search = (accept: (rect: IRect) => boolean): Position | null => {
    for (let ring = 0; ring <= rings; ring++) {
      let best: IRect | null = null;
      let bestDistance = Infinity;
      // The places at `ring` grid steps from the preferred one (a square).
      for (const [i, j] of squareRing(ring)) {
        const rect = { ...size, x: px + i * grid, y: py + j * grid };
        const distance = i * i + j * j;
        if (distance < bestDistance && accept(rect) && free(rect)) {
          best = rect;
          bestDistance = distance;
        }
      }
      if (best) {
        return [best.x, best.y];
      }
    }
    return null;
  };
  const inView = view ? search(rect => contains(view, rect)) : null;
  return inView ?? search(() => true) ?? preferred;
}

/** The grid offsets at Chebyshev distance `ring` from the origin. */
function squareRing(ring: number): [number, number][] {
  if (ring === 0) {
    return [[0, 0]];
  }
  const offsets: [number, number][] = [];
  for (let i = -ring; i <= ring; i++) {
    offsets.push([i, -ring], [i, ring]);
  }
  for (let j = -ring + 1; j < ring; j++) {
    offsets.push([-ring, j], [ring, j]);
  }
  return offsets;
}
