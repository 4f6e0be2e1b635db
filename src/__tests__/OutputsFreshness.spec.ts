import type { IExecutionPlan, IPlanRequest, IStepDataState } from '../api';
import {
  OutputsFreshness,
  affectsFreshness,
  freshnessKind,
  freshnessLabel,
  outdatedBy
} from '../model/OutputsFreshness';

function step(
  uuid: string,
  up_to_date: boolean,
  why: string | null = null
): IStepDataState {
  return {
    uuid,
    title: uuid,
    runs: true,
    fingerprint: `f-${uuid}`,
    outputs: up_to_date ? 'available' : 'none',
    up_to_date,
    why
  };
}

function plan(data?: IStepDataState[]): IExecutionPlan {
  return { mode: 'full', steps: [], issues: [], data };
}

/** A planner whose answers the test releases one by one. */
function controlledPlanner() {
  const pending: {
    request: IPlanRequest;
    resolve: (plan: IExecutionPlan) => void;
    reject: (reason: Error) => void;
  }[] = [];
  const planner = (request: IPlanRequest) =>
    new Promise<IExecutionPlan>((resolve, reject) => {
      pending.push({ request, resolve, reject });
    });
  return { planner, pending };
}

describe('OutputsFreshness', () => {
  it('asks for the full plan of its file and keeps each step state', async () => {
    const { planner, pending } = controlledPlanner();
    const model = new OutputsFreshness({ plan: planner, path: 'p/a.orchest' });
    let changes = 0;
    model.changed.connect(() => changes++);
    const done = model.refresh();
    expect(pending[0].request).toEqual({ path: 'p/a.orchest', mode: 'full' });
    pending[0].resolve(
      plan([step('a', true), step('b', false, 'its file changed')])
    );
    await done;
    expect(changes).toBe(1);
    expect(model.steps.get('a')).toEqual({
      upToDate: true,
      why: null,
      hasOutputs: true
    });
    expect(model.outdated).toEqual(['b']);
  });

  it('ignores an answer overtaken by a newer request', async () => {
    const { planner, pending } = controlledPlanner();
    const model = new OutputsFreshness({ plan: planner, path: 'a.orchest' });
    const first = model.refresh();
    const second = model.refresh();
    pending[1].resolve(plan([step('a', false, 'its file changed')]));
    await second;
    pending[0].resolve(plan([step('a', true)]));
    await first;
    expect(model.steps.get('a')?.upToDate).toBe(false);
  });

  it('forgets what it knew when the pipeline cannot be planned', async () => {
    const { planner, pending } = controlledPlanner();
    const model = new OutputsFreshness({ plan: planner, path: 'a.orchest' });
    const first = model.refresh();
    pending[0].resolve(plan([step('a', true)]));
    await first;
    const second = model.refresh();
    pending[1].reject(new Error('cycle'));
    await second;
    expect(model.steps.size).toBe(0);
  });

  it('emits no change when the states are the same', async () => {
    const { planner, pending } = controlledPlanner();
    const model = new OutputsFreshness({ plan: planner, path: 'a.orchest' });
    let changes = 0;
    model.changed.connect(() => changes++);
    for (let i = 0; i < 2; i++) {
      const done = model.refresh();
      pending[i].resolve(plan([step('a', true)]));
      await done;
    }
    expect(changes).toBe(1);
  });

  it('debounces scheduled refreshes and follows a renamed file', () => {
    jest.useFakeTimers();
    try {
      const { planner, pending } = controlledPlanner();
      const model = new OutputsFreshness({
        plan: planner,
        path: 'a.orchest',
        delay: 100
      });
      model.schedule();
      model.schedule();
      model.path = 'b.orchest';
      jest.advanceTimersByTime(100);
      expect(pending.map(p => p.request.path)).toEqual(['b.orchest']);
      model.dispose();
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('freshnessKind', () => {
  it('tells a step that never ran from one whose file changed', () => {
    const state = (upToDate: boolean, why: string | null) => ({
      upToDate,
      why,
      hasOutputs: false
    });
    expect(freshnessKind(state(true, null))).toBe('fresh');
    expect(freshnessKind(state(false, 'no successful run is recorded'))).toBe(
      'never'
    );
    expect(freshnessKind(state(false, 'its file changed'))).toBe('outdated');
    expect(freshnessLabel('outdated')).toBe('Outdated');
  });
});

describe('affectsFreshness', () => {
  it('ignores the bookkeeping under .orchest', () => {
    expect(affectsFreshness('proj/a.ipynb')).toBe(true);
    expect(affectsFreshness('proj/.orchest/pipelines/x/ledger.json')).toBe(
      false
    );
  });
});

describe('outdatedBy', () => {
  const at = (type: string, newPath: string | null, oldPath = newPath) =>
    outdatedBy({ type, newPath, oldPath }, 'etl/p.orchest', 'etl');

  it('a step file saved in the folder outdates labels and plan', () => {
    expect(at('save', 'etl/a.ipynb')).toEqual({ labels: true, plan: true });
  });

  it('a file elsewhere outdates the plan only; run bookkeeping nothing', () => {
    expect(at('save', 'lib/util.py')).toEqual({ labels: false, plan: true });
    expect(at('save', '.orchest/environments/e/properties.json')).toEqual({
      labels: false,
      plan: false
    });
  });

  it("the pipeline file's own deletion outdates nothing", () => {
    expect(at('delete', null, 'etl/p.orchest')).toEqual({
      labels: false,
      plan: false
    });
    expect(at('delete', null, 'etl/a.ipynb')).toEqual({
      labels: false,
      plan: true
    });
  });
});
