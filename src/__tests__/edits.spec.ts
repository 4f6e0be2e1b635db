import {
  addConnection,
  addSteps,
  cloneJSON,
  createStep,
  envVariableProblem,
  isStepFile,
  moveSteps,
  parseJSONObject,
  removeConnections,
  removeSteps,
  updatePipeline,
  updateStep
} from '../model/edits';
import { IPipelineJSON, serializePipeline } from '../model/pipeline';

/** A pipeline with steps a -> b and an unknown field, keys in Orchest's order. */
function pipeline(): IPipelineJSON {
  return JSON.parse(`{
    "name": "p",
    "parameters": {},
    "settings": {"auto_eviction": false, "data_passing_memory_size": "1GB", "max_steps_parallelism": 0},
    "steps": {
      "a": {"environment": "", "file_path": "a.ipynb", "incoming_connections": [], "kernel": {"display_name": "Python 3", "name": "python"},
            "meta_data": {"hidden": false, "position": [0, 0]}, "parameters": {}, "title": "A", "uuid": "a", "x_custom": 1},
      "b": {"environment": "", "file_path": "b.py", "incoming_connections": ["a"], "kernel": {"display_name": "Python 3", "name": "python"},
            "meta_data": {"hidden": false, "position": [300, 0]}, "parameters": {"k": 1}, "title": "B", "uuid": "b"}
    },
    "uuid": "p-uuid",
    "version": "1.0.0",
    "x_tool": {"keep": true}
  }`);
}

describe('createStep', () => {
  it("makes a step with Orchest's fields in Orchest's (alphabetical) order", () => {
    const step = createStep({
      uuid: 'n',
      filePath: 'data/load.ipynb',
      position: [10.4, 20.6]
    });
    expect(Object.keys(step)).toEqual([
      'environment',
      'file_path',
      'incoming_connections',
      'kernel',
      'meta_data',
      'parameters',
      'title',
      'uuid'
    ]);
    expect(step).toMatchObject({
      environment: '',
      file_path: 'data/load.ipynb',
      incoming_connections: [],
      kernel: { name: 'python', display_name: 'Python 3' },
      meta_data: { hidden: false, position: [10, 21] },
      parameters: {},
      title: 'load',
      uuid: 'n'
    });
  });

  it('takes an environment and a title', () => {
    const step = createStep({
      uuid: 'n',
      filePath: 'x.py',
      position: [0, 0],
      environment: 'env',
      title: 'Custom'
    });
    expect(step.environment).toBe('env');
    expect(step.title).toBe('Custom');
  });
});

describe('edits', () => {
  it('never change their argument', () => {
    const original = pipeline();
    const copy = cloneJSON(original);
    addSteps(original, [
      createStep({ uuid: 'n', filePath: 'n.py', position: [0, 0] })
    ]);
    removeSteps(original, ['a']);
    addConnection(original, 'b', 'a');
    moveSteps(original, new Map([['a', [5, 5]]]));
    updateStep(original, 'a', { title: 'Z' });
    updatePipeline(original, { name: 'q' });
    expect(original).toEqual(copy);
  });

  it('keep unknown fields and the order of existing keys', () => {
    const edited = updateStep(
      moveSteps(pipeline(), new Map([['b', [1, 2]]])),
      'a',
      {
        title: 'Renamed'
      }
    );
    expect(Object.keys(edited)).toEqual(Object.keys(pipeline()));
    expect(Object.keys(edited.steps.a)).toEqual(
      Object.keys(pipeline().steps.a)
    );
    expect(edited.x_tool).toEqual({ keep: true });
    expect(edited.steps.a.x_custom).toBe(1);
    expect(edited.steps.a.title).toBe('Renamed');
    expect(edited.steps.b.meta_data.position).toEqual([1, 2]);
    // Nothing else changed.
    const expected = pipeline();
    expected.steps.a.title = 'Renamed';
    expected.steps.b.meta_data.position = [1, 2];
    expect(serializePipeline(edited)).toBe(serializePipeline(expected));
  });

  it('add steps after the existing ones', () => {
    const step = createStep({ uuid: 'n', filePath: 'n.py', position: [0, 0] });
    expect(Object.keys(addSteps(pipeline(), [step]).steps)).toEqual([
      'a',
      'b',
      'n'
    ]);
  });

  it('remove steps with every connection to them', () => {
    const edited = removeSteps(pipeline(), ['a']);
    expect(Object.keys(edited.steps)).toEqual(['b']);
    expect(edited.steps.b.incoming_connections).toEqual([]);
  });

  it('add a connection once, at the end of the parents', () => {
    let edited = addSteps(pipeline(), [
      createStep({ uuid: 'n', filePath: 'n.py', position: [0, 0] })
    ]);
    edited = addConnection(edited, 'n', 'b');
    edited = addConnection(edited, 'n', 'b');
    expect(edited.steps.b.incoming_connections).toEqual(['a', 'n']);
    expect(() => addConnection(edited, 'a', 'missing')).toThrow('no step');
  });

  it('remove connections', () => {
    const edited = removeConnections(pipeline(), [
      { source: 'a', target: 'b' }
    ]);
    expect(edited.steps.b.incoming_connections).toEqual([]);
  });

  it('store rounded positions, creating meta_data when missing', () => {
    const base = pipeline();
    delete (base.steps.a as any).meta_data;
    const edited = moveSteps(
      base,
      new Map([
        ['a', [1.5, -2.4]],
        ['ghost', [0, 0]]
      ])
    );
    expect(edited.steps.a.meta_data).toEqual({
      hidden: false,
      position: [2, -2]
    });
    expect(edited.steps.ghost).toBeUndefined();
  });

  it('merge pipeline settings and set parameters and variables', () => {
    const edited = updatePipeline(pipeline(), {
      settings: { max_steps_parallelism: 3 },
      parameters: { a: 1 },
      env_variables: { TOKEN: 'x' }
    });
    expect(edited.settings).toEqual({
      auto_eviction: false,
      data_passing_memory_size: '1GB',
      max_steps_parallelism: 3
    });
    expect(edited.parameters).toEqual({ a: 1 });
    expect(edited.env_variables).toEqual({ TOKEN: 'x' });
    expect(Object.keys(edited).slice(-1)).toEqual(['env_variables']);
  });
});

describe('parseJSONObject', () => {
  it('reads objects; empty text is {}', () => {
    expect(parseJSONObject('{"a": [1]}')).toEqual({
      ok: true,
      value: { a: [1] }
    });
    expect(parseJSONObject('  ')).toEqual({ ok: true, value: {} });
  });

  it('says why other text is refused', () => {
    const broken = parseJSONObject('{"a": ');
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.error).toMatch(/^Not valid JSON/);
    const list = parseJSONObject('[1, 2]');
    expect(!list.ok && list.error).toMatch(/must be a JSON object/);
    expect(parseJSONObject('3').ok).toBe(false);
  });
});

describe('checks', () => {
  it('tell step files by their extension', () => {
    expect(isStepFile('a/b.ipynb')).toBe(true);
    expect(isStepFile('x.R')).toBe(true);
    expect(isStepFile('x.txt')).toBe(false);
    expect(isStepFile('ipynb')).toBe(false);
  });

  it('check environment variable names', () => {
    expect(envVariableProblem('DATA_DIR')).toBeNull();
    expect(envVariableProblem('_x1')).toBeNull();
    expect(envVariableProblem('')).toMatch(/needs a name/);
    expect(envVariableProblem('1ABC')).toMatch(/not a valid variable name/);
    expect(envVariableProblem('A-B')).toMatch(/not a valid variable name/);
  });
});
