import {
  IGridAxis,
  IParameterAxis,
  buildGrid,
  buildSchedule,
  combinationKey,
  combinations,
  countCombinations,
  defaultJobName,
  describeCombination,
  describeRunParameters,
  envVariables,
  fieldOfPointer,
  formatValueList,
  parameterAxes,
  parseRetention,
  parseValueList,
  pointerSegments
} from '../model/jobForm';

const TRAIN = 'a1b2c3d4-e5f6-4789-8abc-def012345604';
const LOAD = '2f6f1d2a-7c1b-4e8a-9c43-5a1b0e6d8f01';

const PIPELINE = {
  name: 'quickstart',
  parameters: { dataset: 'synthetic' },
  steps: {
    [LOAD]: { title: 'Load data', parameters: { rows: 200 } },
    [TRAIN]: {
      title: 'Train',
      parameters: { learning_rate: 0.05, layers: [1, 2] }
    },
    other: { title: 'No parameters', parameters: {} }
  }
};

function grid(values: Record<string, unknown[]>): IGridAxis[] {
  return parameterAxes(PIPELINE).map(axis => ({
    axis,
    values: values[axis.key] ?? [axis.current]
  }));
}

describe('parameterAxes', () => {
  it("lists the pipeline's parameters, then each step's, with their values", () => {
    const axes = parameterAxes(PIPELINE);
    expect(
      axes.map(a => [a.key, a.step, a.ownerLabel, a.name, a.current])
    ).toEqual([
      ['pipeline/dataset', null, 'Pipeline', 'dataset', 'synthetic'],
      [`step/${LOAD}/rows`, LOAD, 'Load data', 'rows', 200],
      [`step/${TRAIN}/learning_rate`, TRAIN, 'Train', 'learning_rate', 0.05],
      [`step/${TRAIN}/layers`, TRAIN, 'Train', 'layers', [1, 2]]
    ]);
  });

  it('tolerates anything that is not a pipeline', () => {
    expect(parameterAxes(null)).toEqual([]);
    expect(parameterAxes({ steps: { a: 3 }, parameters: [] })).toEqual([]);
  });
});

describe('parseValueList', () => {
  it('reads values separated by commas, or one JSON list of them', () => {
    expect(parseValueList('0.1, 0.2')).toEqual({
      ok: true,
      values: [0.1, 0.2]
    });
    expect(parseValueList('[1, 2]')).toEqual({ ok: true, values: [1, 2] });
    expect(parseValueList(' 7 ')).toEqual({ ok: true, values: [7] });
    expect(parseValueList('"a", "b,c", null, true, {"k": 1}')).toEqual({
      ok: true,
      values: ['a', 'b,c', null, true, { k: 1 }]
    });
  });

  it('reads a single list value as [[...]], and lists among values', () => {
    expect(parseValueList('[[1, 2]]')).toEqual({ ok: true, values: [[1, 2]] });
    expect(parseValueList('[1, 2], [3]')).toEqual({
      ok: true,
      values: [[1, 2], [3]]
    });
  });

  it('says clearly what is not JSON, hinting at quotes for bare words', () => {
    const bare = parseValueList('adam, sgd');
    expect(bare.ok).toBe(false);
    expect(!bare.ok && bare.error).toMatch(/^Not JSON values: /);
    expect(!bare.ok && bare.error).toMatch(/text needs quotes/);
    const broken = parseValueList('0.1, ');
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.error).not.toMatch(/quotes/);
    expect(parseValueList('')).toEqual({
      ok: false,
      error: 'Give at least one value.'
    });
    expect(parseValueList('[]').ok).toBe(false);
  });

  it('reads back what formatValueList writes', () => {
    for (const values of [
      [0.05],
      ['synthetic'],
      [[1, 2]],
      [1, 'a', null],
      [{ a: [1] }]
    ]) {
      const text = formatValueList(values);
      expect(parseValueList(text)).toEqual({ ok: true, values });
    }
    expect(formatValueList([[1, 2]])).toBe('[[1,2]]');
    expect(formatValueList([0.1, 0.2])).toBe('0.1, 0.2');
  });
});

describe('the grid and its combinations', () => {
  const axes = grid({
    'pipeline/dataset': ['a', 'b'],
    [`step/${TRAIN}/learning_rate`]: [0.01, 0.05, 0.1]
  });

  it('sends every parameter with its values, steps by uuid', () => {
    expect(buildGrid(axes)).toEqual({
      pipeline: { dataset: ['a', 'b'] },
      steps: {
        [LOAD]: { rows: [200] },
        [TRAIN]: { learning_rate: [0.01, 0.05, 0.1], layers: [[1, 2]] }
      }
    });
  });

  it('makes the product, pipeline parameters varying slowest', () => {
    expect(countCombinations(axes)).toBe(6);
    const all = combinations(axes);
    expect(all).toHaveLength(6);
    expect(all[0]).toEqual({
      pipeline: { dataset: 'a' },
      steps: {
        [LOAD]: { rows: 200 },
        [TRAIN]: { learning_rate: 0.01, layers: [1, 2] }
      }
    });
    expect(
      all.map(c => [c.pipeline!.dataset, c.steps![TRAIN].learning_rate])
    ).toEqual([
      ['a', 0.01],
      ['a', 0.05],
      ['a', 0.1],
      ['b', 0.01],
      ['b', 0.05],
      ['b', 0.1]
    ]);
    // Each is told apart by its key, whatever the order of its keys.
    expect(new Set(all.map(combinationKey)).size).toBe(6);
    expect(combinationKey({ steps: { x: { b: 1, a: 2 } }, pipeline: {} })).toBe(
      combinationKey({ pipeline: {}, steps: { x: { a: 2, b: 1 } } })
    );
  });

  it('describes a combination by the parameters that vary', () => {
    const all = combinations(axes);
    expect(describeCombination(all[4], axes)).toBe(
      'dataset = "b" · Train: learning_rate = 0.05'
    );
    expect(describeCombination(combinations(grid({}))[0], grid({}))).toBe(
      "the pipeline's values"
    );
  });

  it("describes a run's parameters, only those its job varies", () => {
    const run = combinations(axes)[1];
    const job = buildGrid(axes);
    expect(
      describeRunParameters(run, {
        grid: job,
        stepTitle: uuid => (uuid === TRAIN ? 'Train' : uuid)
      })
    ).toBe('dataset = "a" · Train: learning_rate = 0.05');
    expect(describeRunParameters(undefined)).toBe('');
    expect(describeRunParameters({ pipeline: { x: 1 } })).toBe('x = 1');
  });
});

describe('buildSchedule', () => {
  const fields = { at: '', cron: '0 3 * * *', timezone: 'Europe/Amsterdam' };

  it('sends null for now, cron with its zone, and a time as UTC', () => {
    expect(buildSchedule('now', fields)).toEqual({ ok: true, schedule: null });
    expect(
      buildSchedule('cron', { ...fields, cron: '  0  3 * *   * ' })
    ).toEqual({
      ok: true,
      schedule: { cron: '0 3 * * *', timezone: 'Europe/Amsterdam' }
    });
    expect(buildSchedule('cron', { ...fields, timezone: ' ' })).toEqual({
      ok: true,
      schedule: { cron: '0 3 * * *', timezone: 'UTC' }
    });
    const at = buildSchedule('at', { ...fields, at: '2030-01-02T03:04' });
    expect(at.ok).toBe(true);
    const sent =
      at.ok && at.schedule && 'at' in at.schedule ? at.schedule.at : '';
    expect(sent).toMatch(/Z$/);
    expect(new Date(sent).getTime()).toBe(
      new Date('2030-01-02T03:04').getTime()
    );
  });

  it('names the field that is missing', () => {
    expect(buildSchedule('at', fields)).toMatchObject({
      ok: false,
      field: 'schedule.at'
    });
    expect(buildSchedule('cron', { ...fields, cron: '' })).toMatchObject({
      ok: false,
      field: 'schedule.cron'
    });
  });
});

describe('retention and variables', () => {
  it('reads retention as a whole number of at least 1, or none', () => {
    expect(parseRetention('')).toEqual({ ok: true, value: null });
    expect(parseRetention(' 5 ')).toEqual({ ok: true, value: 5 });
    expect(parseRetention('0').ok).toBe(false);
    expect(parseRetention('2.5').ok).toBe(false);
    expect(parseRetention('-1').ok).toBe(false);
  });

  it('reads rows of variables, skipping empty ones, naming the row at fault', () => {
    expect(
      envVariables([
        { name: 'A', value: '1' },
        { name: '', value: '' },
        { name: ' B ', value: '' }
      ])
    ).toEqual({ ok: true, variables: { A: '1', B: '' } });
    expect(envVariables([{ name: '', value: 'x' }])).toMatchObject({
      ok: false,
      row: 0
    });
    expect(
      envVariables([
        { name: 'A', value: '1' },
        { name: 'A', value: '2' }
      ])
    ).toMatchObject({ ok: false, row: 1, error: "'A' is set twice." });
    expect(envVariables([{ name: 'A=B', value: '' }])).toMatchObject({
      ok: false,
      row: 0
    });
  });
});

describe('fieldOfPointer', () => {
  const axes: IParameterAxis[] = parameterAxes(PIPELINE);
  const context = {
    axes,
    envRows: [
      { name: 'FIRST', value: '1' },
      { name: 'a/b', value: '2' }
    ]
  };

  it('names the field each pointer of a job request points at', () => {
    const cases: [string, string][] = [
      ['/name', 'name'],
      ['/schedule/cron', 'schedule.cron'],
      ['/schedule/timezone', 'schedule.timezone'],
      ['/schedule/at', 'schedule.at'],
      ['/parameters/pipeline/dataset', 'param:pipeline/dataset'],
      [
        `/parameters/steps/${TRAIN}/learning_rate`,
        `param:step/${TRAIN}/learning_rate`
      ],
      // A step named by its title, and a step with one parameter.
      ['/parameters/steps/Train/layers', `param:step/${TRAIN}/layers`],
      [`/parameters/steps/${LOAD}`, `param:step/${LOAD}/rows`],
      [`/parameters/steps/${TRAIN}`, 'parameters'],
      ['/parameters/pipeline/unknown', 'parameters'],
      ['/parameters', 'parameters'],
      ['/combinations/2', 'combinations'],
      ['/env_variables/a~1b', 'env:1'],
      ['/env_variables/OTHER', 'env'],
      ['/max_retained_runs', 'max_retained_runs'],
      ['/webhook/url', 'webhook.url'],
      ['/webhook/secret', 'webhook.secret'],
      ['/webhook', 'webhook.url'],
      ['/pipeline_path', 'form'],
      ['', 'form']
    ];
    for (const [pointer, field] of cases) {
      expect([pointer, fieldOfPointer(pointer, context)]).toEqual([
        pointer,
        field
      ]);
    }
  });

  it('puts an error of the whole schedule at the field of its kind', () => {
    expect(
      fieldOfPointer('/schedule', {
        ...context,
        request: { schedule: { at: 'x' } }
      })
    ).toBe('schedule.at');
    expect(
      fieldOfPointer('/schedule', {
        ...context,
        request: { schedule: { cron: 'x' } }
      })
    ).toBe('schedule.cron');
  });

  it('unescapes pointer segments', () => {
    expect(pointerSegments('/a~1b/c~0d')).toEqual(['a/b', 'c~d']);
    expect(pointerSegments('')).toEqual([]);
  });
});

describe('defaultJobName', () => {
  it("is the pipeline's name and the date", () => {
    expect(defaultJobName('quickstart', new Date(2026, 10, 2, 9, 5))).toBe(
      'quickstart 2026-11-02 09:05'
    );
    expect(defaultJobName('', new Date(2026, 0, 1, 0, 0))).toBe(
      'Job 2026-01-01 00:00'
    );
  });
});
