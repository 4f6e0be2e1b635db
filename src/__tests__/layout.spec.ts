import { IStep, readEdges, readSteps } from '../model/PipelineModel';
import {
  DEFAULT_LAYOUT,
  LayoutCache,
  WRAP_MIN_RANKS,
  computeLayout,
  resolvePositions
} from '../model/layout';
import { overlaps } from '../model/placement';

/** A chain of `count` steps s0 -> s1 -> ... */
function chain(count: number): IStep[] {
  const spec: Record<string, [string[]]> = {};
  for (let i = 0; i < count; i++) {
    spec[`s${i}`] = [i === 0 ? [] : [`s${i - 1}`]];
  }
  return steps(spec);
}

/** Width and height of the area a layout covers. */
function extent(positions: Map<string, [number, number]>): [number, number] {
  const xs = [...positions.values()].map(([x]) => x);
  const ys = [...positions.values()].map(([, y]) => y);
  return [
    Math.max(...xs) - Math.min(...xs) + DEFAULT_LAYOUT.nodeWidth,
    Math.max(...ys) - Math.min(...ys) + DEFAULT_LAYOUT.nodeHeight
  ];
}

/** Steps from `{uuid: [parents, position?]}`. */
function steps(spec: Record<string, [string[], [number, number]?]>): IStep[] {
  const json: Record<string, unknown> = {};
  for (const [uuid, [parents, position]] of Object.entries(spec)) {
    json[uuid] = {
      uuid,
      title: uuid,
      incoming_connections: parents,
      meta_data: position ? { hidden: false, position } : { hidden: false }
    };
  }
  return readSteps({ steps: json });
}

describe('computeLayout', () => {
  it('lays a chain out left to right on one row', () => {
    const chain = steps({ c: [['b']], a: [[]], b: [['a']] });
    const positions = computeLayout(chain, readEdges(chain));
    const [ax, ay] = positions.get('a')!;
    const [bx, by] = positions.get('b')!;
    const [cx, cy] = positions.get('c')!;
    expect(ax).toBeLessThan(bx);
    expect(bx).toBeLessThan(cx);
    expect(bx - ax).toBeGreaterThanOrEqual(DEFAULT_LAYOUT.nodeWidth);
    expect(ay).toBe(by);
    expect(by).toBe(cy);
  });

  it('puts the branches of a fan-out in one column without overlap', () => {
    const fan = steps({
      root: [[]],
      left: [['root']],
      right: [['root']],
      join: [['left', 'right']]
    });
    const positions = computeLayout(fan, readEdges(fan));
    const [lx, ly] = positions.get('left')!;
    const [rx, ry] = positions.get('right')!;
    expect(lx).toBe(rx);
    expect(Math.abs(ly - ry)).toBeGreaterThanOrEqual(DEFAULT_LAYOUT.nodeHeight);
    expect(positions.get('join')![0]).toBeGreaterThan(lx);
  });

  it('survives a cycle', () => {
    const loop = steps({ a: [['b']], b: [['a']] });
    expect(computeLayout(loop, readEdges(loop)).size).toBe(2);
  });
});

describe('computeLayout of long chains', () => {
  it('keeps a short chain on one row', () => {
    const short = chain(WRAP_MIN_RANKS);
    const positions = computeLayout(short, readEdges(short));
    expect(new Set([...positions.values()].map(([, y]) => y)).size).toBe(1);
  });

  it('wraps a 300-step chain into rows that read left to right, top to bottom', () => {
    const long = chain(300);
    const positions = computeLayout(long, readEdges(long));
    const [width, height] = extent(positions);
    // One row would be 300 * 290 px wide and 56 px high.
    expect(width / height).toBeLessThan(4);
    expect(width / height).toBeGreaterThan(0.5);
    // The zoom that fits it in a 1000 x 600 view is readable-ish, not 0.05.
    expect(Math.min(1000 / width, 600 / height)).toBeGreaterThan(0.15);
    // Reading order: along a row to the right, then the next row below.
    for (let i = 1; i < 300; i++) {
      const [px, py] = positions.get(`s${i - 1}`)!;
      const [x, y] = positions.get(`s${i}`)!;
      expect(x > px || y > py).toBe(true);
      if (y === py) {
        expect(x).toBeGreaterThan(px);
      }
    }
  });

  it('never overlaps two steps when it wraps', () => {
    const long = chain(150);
    const positions = computeLayout(long, readEdges(long));
    const rects = [...positions.values()].map(([x, y]) => ({
      x,
      y,
      width: DEFAULT_LAYOUT.nodeWidth,
      height: DEFAULT_LAYOUT.nodeHeight
    }));
    for (let i = 0; i < rects.length; i++) {
      for (let j = i + 1; j < rects.length; j++) {
        expect(overlaps(rects[i], rects[j])).toBe(false);
      }
    }
  });
});

describe('resolvePositions', () => {
  it('keeps stored positions and computes none when every step has one', () => {
    const placed = steps({ a: [[], [5, 7]], b: [['a'], [-100, 40]] });
    const positions = resolvePositions(placed, readEdges(placed));
    expect(positions.get('a')).toEqual([5, 7]);
    expect(positions.get('b')).toEqual([-100, 40]);
  });

  it('places only the steps without a position, next to their neighbours', () => {
    const mixed = steps({ a: [[], [1000, 500]], b: [['a']], c: [['b']] });
    const positions = resolvePositions(mixed, readEdges(mixed));
    expect(positions.get('a')).toEqual([1000, 500]);
    const [bx, by] = positions.get('b')!;
    const [cx] = positions.get('c')!;
    // In the frame of the stored position: to its right, on its row.
    expect(bx).toBeGreaterThan(1000);
    expect(cx).toBeGreaterThan(bx);
    expect(by).toBe(500);
  });

  it('does not touch the steps it is given', () => {
    const mixed = steps({ a: [[], [0, 0]], b: [['a']] });
    resolvePositions(mixed, readEdges(mixed));
    expect(mixed[1].position).toBeNull();
    expect(mixed[1].json.meta_data).toEqual({ hidden: false });
  });
});

describe('LayoutCache', () => {
  it('lays a graph out again only when its shape changed', () => {
    const cache = new LayoutCache();
    const before = steps({ a: [[]], b: [['a']] });
    const first = resolvePositions(
      before,
      readEdges(before),
      DEFAULT_LAYOUT,
      cache
    );
    // Same steps and connections (other fields may differ): no new layout.
    const same = steps({ a: [[]], b: [['a']] });
    expect(
      resolvePositions(same, readEdges(same), DEFAULT_LAYOUT, cache)
    ).toEqual(first);
    expect(cache.computed).toBe(1);
    const wider = steps({ a: [[]], b: [['a']], c: [['a']] });
    resolvePositions(wider, readEdges(wider), DEFAULT_LAYOUT, cache);
    expect(cache.computed).toBe(2);
  });

  it('is not used when every step has a position', () => {
    const cache = new LayoutCache();
    const placed = steps({ a: [[], [0, 0]], b: [['a'], [300, 0]] });
    resolvePositions(placed, readEdges(placed), DEFAULT_LAYOUT, cache);
    expect(cache.computed).toBe(0);
  });
});
