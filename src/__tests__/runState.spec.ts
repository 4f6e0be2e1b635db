import type { IRun } from '../api';
import { EventSchemas, IRunEvent, IStepEvent } from '../model/events';
import {
  applyRun,
  applyRunEvent,
  applyStepEvent,
  applySummary,
  elapsedMs,
  formatDuration,
  isActive,
  mergeStatus,
  runMeter,
  statusLabel
} from '../model/runState';

const RUN = 'run-1';

function runEvent(
  status: IRunEvent['status'],
  extra: Partial<IRunEvent> = {}
): IRunEvent {
  return {
    schema_id: EventSchemas.run,
    run_id: RUN,
    pipeline_path: 'p/q.orchest',
    status,
    ...extra
  };
}

function stepEvent(
  step: string,
  status: IStepEvent['status'],
  extra: Partial<IStepEvent> = {}
): IStepEvent {
  return {
    schema_id: EventSchemas.step,
    run_id: RUN,
    pipeline_path: 'p/q.orchest',
    step_uuid: step,
    title: step.toUpperCase(),
    status,
    ...extra
  };
}

const API_RUN: IRun = {
  id: RUN,
  pipeline_path: 'p/q.orchest',
  pipeline_name: 'q',
  status: 'STARTED',
  mode: 'full',
  created_at: '2026-01-01T00:00:00.000+00:00',
  started_at: '2026-01-01T00:00:00.100+00:00',
  progress: { done: 0, total: 2 },
  steps: [
    {
      uuid: 'a',
      title: 'A',
      file_path: 'a.ipynb',
      status: 'STARTED',
      started_at: '2026-01-01T00:00:00.200+00:00'
    },
    { uuid: 'b', title: 'B', file_path: 'b.py', status: 'PENDING' }
  ]
};

describe('mergeStatus', () => {
  it('never goes back in a run life', () => {
    expect(mergeStatus(undefined, 'PENDING')).toBe('PENDING');
    expect(mergeStatus('PENDING', 'STARTED')).toBe('STARTED');
    expect(mergeStatus('STARTED', 'PENDING')).toBe('STARTED');
    expect(mergeStatus('SUCCESS', 'STARTED')).toBe('SUCCESS');
    expect(mergeStatus('FAILURE', 'PENDING')).toBe('FAILURE');
    expect(mergeStatus('STARTED', 'ABORTED')).toBe('ABORTED');
  });
});

describe('run state from events', () => {
  it('builds a run from events alone, counting progress once every step is known', () => {
    let run = applyRunEvent(
      undefined,
      runEvent('PENDING', { progress: { done: 0, total: 2 } })
    );
    expect(run.status).toBe('PENDING');
    expect(run.complete).toBe(false);
    run = applyStepEvent(
      run,
      stepEvent('a', 'STARTED', { started_at: '2026-01-01T00:00:01Z' })
    );
    // A started step means a started run.
    expect(run.status).toBe('STARTED');
    expect(run.steps.a.status).toBe('STARTED');
    expect(run.stepOrder).toEqual(['a']);
    run = applyStepEvent(
      run,
      stepEvent('a', 'SUCCESS', { finished_at: '2026-01-01T00:00:02Z' })
    );
    expect(run.steps.a).toMatchObject({
      status: 'SUCCESS',
      startedAt: '2026-01-01T00:00:01Z',
      finishedAt: '2026-01-01T00:00:02Z',
      title: 'A'
    });
    run = applyRunEvent(
      run,
      runEvent('SUCCESS', { progress: { done: 2, total: 2 } })
    );
    expect(run.status).toBe('SUCCESS');
    expect(run.progress).toEqual({ done: 2, total: 2 });
    expect(isActive(run)).toBe(false);
  });

  it('ignores news older than what it knows', () => {
    let run = applyRun(undefined, API_RUN);
    run = applyStepEvent(
      run,
      stepEvent('a', 'FAILURE', {
        failure: { name: 'ValueError', message: 'boom', cell_index: 1 }
      })
    );
    run = applyStepEvent(run, stepEvent('a', 'STARTED'));
    expect(run.steps.a.status).toBe('FAILURE');
    expect(run.steps.a.failure).toEqual({
      name: 'ValueError',
      message: 'boom',
      cell_index: 1
    });
    run = applyRunEvent(run, runEvent('FAILURE', { reason: 'a failed' }));
    run = applyRunEvent(run, runEvent('STARTED'));
    expect(run.status).toBe('FAILURE');
    expect(run.reason).toBe('a failed');
  });

  it('merges a fetched run into what events said first', () => {
    let run = applyStepEvent(
      undefined,
      stepEvent('b', 'SKIPPED', { reason: "'A' failed" })
    );
    run = applyRun(run, API_RUN);
    // The fetched run is older for b (PENDING): b stays skipped.
    expect(run.steps.b.status).toBe('SKIPPED');
    expect(run.steps.b.reason).toBe("'A' failed");
    expect(run.steps.b.filePath).toBe('b.py');
    expect(run.stepOrder).toEqual(['a', 'b']);
    expect(run.complete).toBe(true);
    expect(run.progress).toEqual({ done: 1, total: 2 });
    expect(run.pipelineName).toBe('q');
  });

  it('counts steps of summaries and keeps known steps', () => {
    const summary = {
      ...API_RUN,
      status: 'SUCCESS' as const,
      progress: undefined,
      steps: { SUCCESS: 3 }
    };
    const fromSummary = applySummary(undefined, summary);
    expect(fromSummary.progress.total).toBe(3);
    expect(fromSummary.complete).toBe(false);
    const known = applySummary(applyRun(undefined, API_RUN), summary);
    expect(known.steps.a.title).toBe('A');
    expect(known.status).toBe('SUCCESS');
  });

  it('keeps states immutable', () => {
    const run = applyRun(undefined, API_RUN);
    const next = applyStepEvent(run, stepEvent('a', 'SUCCESS'));
    expect(run.steps.a.status).toBe('STARTED');
    expect(next).not.toBe(run);
  });
});

describe('durations and labels', () => {
  it('measures and formats durations', () => {
    expect(elapsedMs('2026-01-01T00:00:00Z', '2026-01-01T00:00:02.5Z')).toBe(
      2500
    );
    expect(elapsedMs(null, null)).toBeNull();
    expect(
      elapsedMs(
        '2026-01-01T00:00:00Z',
        null,
        Date.parse('2026-01-01T00:00:03Z')
      )
    ).toBe(3000);
    expect(formatDuration(430)).toBe('0.4 s');
    expect(formatDuration(12_300)).toBe('12 s');
    expect(formatDuration(187_000)).toBe('3:07');
    expect(formatDuration(3_723_000)).toBe('1:02:03');
    expect(formatDuration(null)).toBe('');
  });

  it('names statuses for people', () => {
    expect(statusLabel('PENDING')).toBe('Queued');
    expect(statusLabel('STARTED')).toBe('Running');
    expect(statusLabel('FAILURE')).toBe('Failed');
  });
});

describe('runMeter', () => {
  const ended = (status: 'SUCCESS' | 'FAILURE', b: 'SUCCESS' | 'FAILURE') =>
    applyRun(undefined, {
      ...API_RUN,
      status,
      progress: { done: 2, total: 2 },
      steps: [
        { uuid: 'a', title: 'A', file_path: 'a.ipynb', status: 'SUCCESS' },
        { uuid: 'b', title: 'B', file_path: 'b.py', status: b }
      ]
    });

  it('counts ended steps while running and after a success', () => {
    expect(runMeter(applyRun(undefined, API_RUN))).toEqual({
      value: 0,
      max: 2,
      failed: false,
      text: '0 of 2 steps'
    });
    expect(runMeter(ended('SUCCESS', 'SUCCESS')).value).toBe(2);
  });

  it('shows only the steps that succeeded after a failure, not a full bar', () => {
    expect(runMeter(ended('FAILURE', 'FAILURE'))).toEqual({
      value: 1,
      max: 2,
      failed: true,
      text: 'Failed: 1 of 2 steps succeeded'
    });
  });
});
