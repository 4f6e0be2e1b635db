import { IRunSource, ShownRun } from '../model/ShownRun';
import { IRunState } from '../model/runState';

function run(id: string, overrides: Partial<IRunState> = {}): IRunState {
  return {
    id,
    pipelinePath: 'p.orchest',
    pipelineName: 'p',
    mode: 'full',
    kind: 'interactive',
    jobId: null,
    status: 'SUCCESS',
    createdAt: null,
    startedAt: null,
    finishedAt: null,
    reason: null,
    progress: { done: 0, total: 0 },
    steps: {},
    stepOrder: [],
    complete: true,
    ...overrides
  };
}

class Runs implements IRunSource {
  byId = new Map<string, IRunState>();
  latestId: string | null = null;
  get(id: string): IRunState | undefined {
    return this.byId.get(id);
  }
  latest(): IRunState | undefined {
    return this.latestId ? this.byId.get(this.latestId) : undefined;
  }
  async fetch(id: string): Promise<IRunState> {
    return this.byId.get(id)!;
  }
  async refresh(): Promise<void> {}
  add(state: IRunState, latest = true): void {
    this.byId.set(state.id, state);
    if (latest) {
      this.latestId = state.id;
    }
  }
}

describe('ShownRun', () => {
  it('shows the latest run, a past one when chosen, and goes back', async () => {
    const runs = new Runs();
    runs.add(run('old'));
    runs.add(run('new'));
    const shown = new ShownRun(runs, () => 'p.orchest');
    expect(shown.current?.id).toBe('new');
    await shown.show('old');
    expect(shown.past?.id).toBe('old');
    expect(shown.current?.id).toBe('old');
    shown.showLatest();
    expect(shown.past).toBeNull();
    expect(shown.current?.id).toBe('new');
  });

  it("never shows another pipeline's run or a job's", async () => {
    const runs = new Runs();
    runs.add(run('latest'));
    runs.add(run('other', { pipelinePath: 'q.orchest' }), false);
    runs.add(run('job', { kind: 'job', jobId: 'j' }), false);
    const shown = new ShownRun(runs, () => 'p.orchest');
    await shown.show('other');
    await shown.show('job');
    expect(shown.past).toBeNull();
    expect(shown.noteRun(run('other2', { pipelinePath: 'q.orchest' }))).toBe(
      false
    );
    expect(shown.noteRun(run('job2', { kind: 'job', jobId: 'j' }))).toBe(false);
  });

  it('a new run brings the canvas back to live statuses; a dismissed run stays hidden', async () => {
    const runs = new Runs();
    runs.add(run('old'));
    runs.add(run('new'));
    const shown = new ShownRun(runs, () => 'p.orchest');
    await shown.show('old');
    const started = run('newer', { status: 'STARTED' });
    runs.add(started);
    expect(shown.noteRun(started)).toBe(true);
    expect(shown.past).toBeNull();
    shown.dismiss();
    expect(shown.current).toBeNull();
  });
});
