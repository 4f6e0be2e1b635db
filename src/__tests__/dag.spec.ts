import {
  checkConnection,
  describeConnectionProblem,
  findPath
} from '../model/dag';

// a -> b -> d, a -> c -> d, e alone
const EDGES = [
  { source: 'a', target: 'b' },
  { source: 'a', target: 'c' },
  { source: 'b', target: 'd' },
  { source: 'c', target: 'd' }
];
const STEPS = ['a', 'b', 'c', 'd', 'e'];

describe('findPath', () => {
  it('finds a shortest path along connections, or none', () => {
    expect(findPath('a', 'd', EDGES)).toHaveLength(3);
    expect(findPath('a', 'd', EDGES)![0]).toBe('a');
    expect(findPath('d', 'a', EDGES)).toBeNull();
    expect(findPath('e', 'e', EDGES)).toEqual(['e']);
  });
});

describe('checkConnection', () => {
  const known = new Set(STEPS);

  it('accepts a connection that keeps the graph acyclic', () => {
    expect(checkConnection('e', 'a', EDGES, known)).toBeNull();
    expect(checkConnection('b', 'c', EDGES, known)).toBeNull();
  });

  it('refuses a connection that closes a cycle, with the path that would loop', () => {
    expect(checkConnection('d', 'a', EDGES, known)).toEqual({
      kind: 'cycle',
      path: expect.arrayContaining(['a', 'd']),
      loop: expect.arrayContaining(['a', 'd'])
    });
    const problem = checkConnection('d', 'a', EDGES, known);
    expect(problem && problem.kind === 'cycle' && problem.path[0]).toBe('a');
    expect(problem && problem.kind === 'cycle' && problem.path.at(-1)).toBe(
      'd'
    );
  });

  it('refuses self-connections, duplicates and unknown steps', () => {
    expect(checkConnection('a', 'a', EDGES, known)).toEqual({ kind: 'self' });
    expect(checkConnection('a', 'b', EDGES, known)).toEqual({
      kind: 'duplicate'
    });
    expect(checkConnection('a', 'zz', EDGES, known)).toEqual({
      kind: 'unknown-step',
      uuid: 'zz'
    });
  });
});

describe('describeConnectionProblem', () => {
  const known = new Set(STEPS);
  const title = (uuid: string) => `'${uuid}'`;

  it('names the loop a connection would close, closed on the new parent', () => {
    // b -> a where a -> b exists: the loop is b -> a -> b.
    const edges = [{ source: 'a', target: 'b' }];
    const problem = checkConnection('b', 'a', edges, new Set(['a', 'b']))!;
    expect(describeConnectionProblem(problem, 'b', 'a', title)).toBe(
      "Connecting 'b' to 'a' would make a cycle: 'b' → 'a' → 'b'."
    );
  });

  it('names every step of a longer loop once, in the order it runs', () => {
    // d -> a where a -> b -> d: the loop is d -> a -> b -> d (shortest).
    const problem = checkConnection('d', 'a', EDGES, known)!;
    const sentence = describeConnectionProblem(problem, 'd', 'a', title);
    expect(sentence).toMatch(
      /^Connecting 'd' to 'a' would make a cycle: 'd' → 'a' → '[bc]' → 'd'\.$/
    );
  });

  it('explains the other refusals', () => {
    expect(
      describeConnectionProblem({ kind: 'self' }, 'a', 'a', title)
    ).toMatch(/itself/);
    expect(
      describeConnectionProblem({ kind: 'duplicate' }, 'a', 'b', title)
    ).toBe("'a' is already connected to 'b'.");
  });
});
