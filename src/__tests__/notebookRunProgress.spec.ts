import type { RunStatus } from '../api';
import { IRunState, emptyRun } from '../model/runState';
import {
  notebookRunProgress,
  runProgressFor
} from '../model/notebookRunProgress';

function run(statuses: [string, RunStatus][], status: RunStatus = 'STARTED') {
  const base = emptyRun('r1', 'p/q.orchest');
  const steps: Record<string, any> = {};
  for (const [uuid, stepStatus] of statuses) {
    steps[uuid] = {
      uuid,
      title: uuid.toUpperCase(),
      filePath: `${uuid}.ipynb`,
      status: stepStatus,
      startedAt: null,
      finishedAt: null,
      failure: null,
      reason: null
    };
  }
  return {
    ...base,
    status,
    steps,
    stepOrder: statuses.map(([uuid]) => uuid),
    complete: true,
    progress: {
      done: statuses.filter(([, s]) => s === 'SUCCESS').length,
      total: statuses.length
    }
  } as IRunState;
}

const mine = { pipelinePath: 'p/q.orchest', uuid: 'd' };

describe('runProgressFor', () => {
  it('says which steps run and how far the run is while the notebook waits', () => {
    const progress = runProgressFor(
      run([
        ['a', 'SUCCESS'],
        ['b', 'STARTED'],
        ['c', 'PENDING'],
        ['d', 'PENDING']
      ]),
      mine
    );
    expect(progress).toEqual({
      runId: 'r1',
      text: "Pipeline run: running 'B' (1 of 4 steps done)"
    });
  });

  it('names at most two running steps', () => {
    const progress = runProgressFor(
      run([
        ['a', 'STARTED'],
        ['b', 'STARTED'],
        ['c', 'STARTED'],
        ['d', 'PENDING']
      ]),
      mine
    );
    expect(progress?.text).toContain("running 'A', 'B' and 1 more");
  });

  it('says nothing once the notebook runs, or for runs without it or ended', () => {
    expect(runProgressFor(run([['d', 'STARTED']]), mine)).toBeNull();
    expect(runProgressFor(run([['a', 'STARTED']]), mine)).toBeNull();
    expect(runProgressFor(run([['d', 'PENDING']], 'ABORTED'), mine)).toBeNull();
    expect(
      runProgressFor(run([['d', 'PENDING']]), { ...mine, pipelinePath: 'x' })
    ).toBeNull();
  });

  it('waits without a running step', () => {
    expect(runProgressFor(run([['d', 'PENDING']], 'PENDING'), mine)?.text).toBe(
      'Pipeline run: waiting for the steps before this one (0 of 1 steps done)'
    );
  });
});

describe('notebookRunProgress', () => {
  it('finds the run that includes one of the notebook steps', () => {
    const other = { ...run([['x', 'STARTED']]), id: 'r0' };
    const progress = notebookRunProgress(
      [
        other,
        run([
          ['a', 'STARTED'],
          ['d', 'PENDING']
        ])
      ],
      [{ pipelinePath: 'elsewhere', uuid: 'd' }, mine]
    );
    expect(progress?.runId).toBe('r1');
  });
});
