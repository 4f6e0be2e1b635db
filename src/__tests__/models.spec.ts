import { EnvironmentsModel } from '../model/EnvironmentsModel';
import { NotebookSteps, fileSteps } from '../model/NotebookSteps';
import { PipelineListModel } from '../model/PipelineListModel';
import { SelectionModel } from '../model/SelectionModel';
import {
  isBuildEvent,
  isCellEvent,
  isRunEvent,
  isStepEvent
} from '../model/events';
import { APIError } from '../api';

describe('SelectionModel', () => {
  it('changes (and says so) only when the selection changes', () => {
    const selection = new SelectionModel();
    let changes = 0;
    selection.changed.connect(() => changes++);
    selection.set(['a', 'b', 'a'], ['a->b']);
    expect(selection.steps).toEqual(['a', 'b']);
    expect(selection.has('b')).toBe(true);
    selection.set(['b', 'a'], ['a->b']);
    expect(changes).toBe(1);
    selection.retain(new Set(['a']), new Set());
    expect(selection.steps).toEqual(['a']);
    expect(selection.edges).toEqual([]);
    selection.clear();
    expect(selection.isEmpty).toBe(true);
    expect(changes).toBe(3);
  });
});

describe('EnvironmentsModel', () => {
  it('lists the readable environments of a project', async () => {
    const asked: string[] = [];
    const model = new EnvironmentsModel(async project => {
      asked.push(project);
      return [
        {
          uuid: 'e1',
          name: 'Python 3',
          language: 'python',
          build: { state: 'ready' }
        },
        { uuid: 'e2', error: 'properties.json is not valid JSON' } as any
      ];
    });
    await model.load('proj');
    expect(model.status).toBe('ready');
    expect(model.environments.map(env => env.uuid)).toEqual(['e1']);
    expect(model.find('e1')?.name).toBe('Python 3');
    await model.load();
    expect(asked).toEqual(['proj', 'proj']);
  });

  it('says clearly when the server has no environments route', async () => {
    const model = new EnvironmentsModel(async () => {
      throw new APIError('not found', { status: 404 });
    });
    await model.load('proj');
    expect(model.status).toBe('unavailable');
    expect(model.error).toMatch(/does not list environments \(404\)/);
    const failing = new EnvironmentsModel(async () => {
      throw new APIError('boom', { status: 500 });
    });
    await failing.load('');
    expect(failing.status).toBe('failed');
    expect(failing.error).toBe('Could not load the environments: boom');
  });
});

describe('NotebookSteps', () => {
  const answer = [
    {
      path: 'p/a.orchest',
      name: 'a',
      uuid: 'u',
      step_count: 3,
      project: 'p',
      error: null,
      steps: [{ uuid: 's1', title: 'One' }]
    },
    {
      path: 'p/b.orchest',
      name: '',
      uuid: 'v',
      step_count: 1,
      project: 'p',
      error: null,
      steps: [{ uuid: 's2', title: 'Two' }]
    }
  ];

  it('flattens pipelines into (pipeline, step) pairs', () => {
    expect(fileSteps(answer)).toEqual([
      {
        pipelinePath: 'p/a.orchest',
        pipelineName: 'a',
        uuid: 's1',
        title: 'One'
      },
      {
        pipelinePath: 'p/b.orchest',
        pipelineName: 'p/b.orchest',
        uuid: 's2',
        title: 'Two'
      }
    ]);
  });

  it('asks once per file until pipelines change', async () => {
    let calls = 0;
    const steps = new NotebookSteps(async () => {
      calls++;
      return answer;
    });
    expect(steps.peek('p/nb.ipynb')).toBeUndefined();
    await Promise.all([steps.get('p/nb.ipynb'), steps.get('p/nb.ipynb')]);
    expect(calls).toBe(1);
    expect(steps.peek('p/nb.ipynb')).toHaveLength(2);
    steps.invalidate();
    expect(steps.peek('p/nb.ipynb')).toBeUndefined();
    await steps.get('p/nb.ipynb');
    expect(calls).toBeGreaterThanOrEqual(2);
  });
});

describe('PipelineListModel', () => {
  it('sorts pipelines by path and keeps the last error', async () => {
    let fail = false;
    const list = new PipelineListModel(async () => {
      if (fail) {
        throw new Error('unreachable');
      }
      return [
        {
          path: 'b.orchest',
          name: 'b',
          uuid: '1',
          step_count: 1,
          project: '',
          error: null
        },
        {
          path: 'a.orchest',
          name: 'a',
          uuid: '2',
          step_count: 1,
          project: '',
          error: null
        }
      ];
    });
    await list.refresh();
    expect(list.loaded).toBe(true);
    expect(list.pipelines.map(p => p.path)).toEqual(['a.orchest', 'b.orchest']);
    fail = true;
    await list.refresh();
    expect(list.error).toBe('unreachable');
    expect(list.pipelines).toHaveLength(2);
  });
});

describe('event guards', () => {
  const base = 'https://events.orchest-lab.dev/';
  it('tell events apart by schema and shape', () => {
    expect(
      isRunEvent({ schema_id: `${base}run`, run_id: 'r', status: 'STARTED' })
    ).toBe(true);
    expect(isRunEvent({ schema_id: `${base}run`, run_id: 'r' })).toBe(false);
    expect(
      isStepEvent({
        schema_id: `${base}step`,
        run_id: 'r',
        step_uuid: 's',
        status: 'SUCCESS'
      })
    ).toBe(true);
    expect(
      isStepEvent({
        schema_id: `${base}run`,
        run_id: 'r',
        step_uuid: 's',
        status: 'SUCCESS'
      })
    ).toBe(false);
    expect(
      isCellEvent({
        schema_id: `${base}cell`,
        path: 'a.ipynb',
        index: 0,
        outputs: []
      })
    ).toBe(true);
    expect(
      isCellEvent({ schema_id: `${base}cell`, path: 'a.ipynb', index: 0 })
    ).toBe(false);
    expect(
      isBuildEvent({ schema_id: `${base}environment-build`, project: 'p' })
    ).toBe(true);
    expect(isRunEvent(null)).toBe(false);
    expect(isRunEvent('text')).toBe(false);
  });
});
