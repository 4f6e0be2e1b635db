import {
  IRect,
  contains,
  findFreePlace,
  overlaps,
  preferredPlace
} from '../model/placement';

const SIZE = { width: 200, height: 56 };
const VIEW: IRect = { x: 0, y: 0, width: 1000, height: 600 };
const at = (x: number, y: number): IRect => ({ ...SIZE, x, y });

describe('findFreePlace', () => {
  it('takes the preferred place when it is free', () => {
    expect(findFreePlace(SIZE, [400, 272], [at(0, 0)], { view: VIEW })).toEqual(
      [400, 272]
    );
  });

  it('never lands on a node, however many steps are added at the same spot', () => {
    const occupied: IRect[] = [];
    for (let i = 0; i < 12; i++) {
      const [x, y] = findFreePlace(SIZE, [400, 272], occupied, { view: VIEW });
      const rect = at(x, y);
      for (const other of occupied) {
        expect(overlaps(rect, other)).toBe(false);
      }
      expect(contains(VIEW, rect)).toBe(true);
      occupied.push(rect);
    }
  });

  it('stays near the preferred place', () => {
    const [x, y] = findFreePlace(SIZE, [400, 272], [at(400, 272)], {
      view: VIEW
    });
    // Just above or below the node in the way (its height plus the gap).
    expect(Math.abs(x - 400)).toBeLessThanOrEqual(20);
    expect(Math.abs(y - 272)).toBeLessThanOrEqual(100);
  });

  it('goes outside the view only when the view is full', () => {
    const small: IRect = { x: 0, y: 0, width: 220, height: 80 };
    const [x, y] = findFreePlace(SIZE, [10, 10], [at(10, 10)], {
      view: small
    });
    expect(contains(small, at(x, y))).toBe(false);
    expect(overlaps(at(x, y), at(10, 10))).toBe(false);
  });

  it('keeps a gap around nodes', () => {
    const [x, y] = findFreePlace(SIZE, [0, 0], [at(0, 0)], { gap: 20 });
    expect(overlaps(at(x, y), at(0, 0), 20)).toBe(false);
  });
});

describe('preferredPlace', () => {
  it('is the middle of the view without a selection', () => {
    expect(preferredPlace(SIZE, [], VIEW)).toEqual([400, 272]);
  });

  it('is to the right of the selection, level with its top', () => {
    const [x, y] = preferredPlace(SIZE, [at(100, 50), at(100, 200)], VIEW);
    expect(x).toBeGreaterThan(300);
    expect(y).toBe(50);
  });
});
