/**
 * The state of a run as the frontend knows it, and the pure functions that
 * update it from the REST API's answers and from live events. Answers and
 * events can arrive in any order: a status never goes back (an ended step
 * stays ended, a started one never becomes queued again).
 */
import type {
  IProgress,
  IRun,
  IRunBase,
  IRunStep,
  IRunSummary,
  IStepFailure,
  RunStatus
} from '../api/types';
import type { IRunEvent, IStepEvent } from './events';

/** A step in a run. */
export interface IStepRunState {
  readonly uuid: string;
  readonly title: string;
  readonly filePath: string;
  readonly status: RunStatus;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly failure: IStepFailure | null;
  readonly reason: string | null;
}

/** A run. */
export interface IRunState {
  readonly id: string;
  readonly pipelinePath: string;
  readonly pipelineName: string;
  readonly mode: string;
  /** 'interactive', 'job', or '' until known. */
  readonly kind: string;
  /** The job the run belongs to (runs of jobs only). */
  readonly jobId: string | null;
  readonly status: RunStatus;
  readonly createdAt: string | null;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly reason: string | null;
  readonly progress: IProgress;
  /** Steps by uuid; only those the frontend heard of (all once fetched). */
  readonly steps: Readonly<Record<string, IStepRunState>>;
  /** Step uuids in plan order. */
  readonly stepOrder: readonly string[];
  /** Whether `steps` holds every step of the run. */
  readonly complete: boolean;
}

/** Statuses a run or step ends in. */
export const END_STATUSES: ReadonlySet<RunStatus> = new Set<RunStatus>([
  'SUCCESS',
  'FAILURE',
  'SKIPPED',
  'ABORTED'
]);

/** Whether a status is final. */
export function isEnded(status: RunStatus): boolean {
  return END_STATUSES.has(status);
}

/** Whether a run is queued or running. */
export function isActive(run: { status: RunStatus }): boolean {
  return !isEnded(run.status);
}

/**
 * Whether a run is a job's: it ran on the job's snapshot of the project, so
 * its statuses are not those of the pipeline being edited.
 */
export function isJobRun(run: {
  kind: string;
  jobId?: string | null;
}): boolean {
  return run.kind === 'job' || !!run.jobId;
}

function rank(status: RunStatus): number {
  return status === 'PENDING' ? 0 : status === 'STARTED' ? 1 : 2;
}

/**
 * The status to keep when `incoming` arrives while `current` is known: the
 * later one in a run's life (queued < started < ended); between two end
 * statuses, the incoming one.
 */
export function mergeStatus(
  current: RunStatus | undefined,
  incoming: RunStatus
): RunStatus {
  if (current === undefined) {
    return incoming;
  }
  return rank(incoming) >= rank(current) ? incoming : current;
}

function mergeStep(
  current: IStepRunState | undefined,
  incoming: IStepRunState
): IStepRunState {
  if (!current) {
    return incoming;
  }
  const status = mergeStatus(current.status, incoming.status);
  if (status !== incoming.status) {
    // The incoming news is older than what we know: keep ours, fill gaps.
    return {
      ...current,
      title: current.title || incoming.title,
      filePath: current.filePath || incoming.filePath,
      startedAt: current.startedAt ?? incoming.startedAt
    };
  }
  return {
    uuid: incoming.uuid,
    title: incoming.title || current.title,
    filePath: incoming.filePath || current.filePath,
    status,
    startedAt: incoming.startedAt ?? current.startedAt,
    finishedAt: incoming.finishedAt ?? current.finishedAt,
    failure: incoming.failure ?? (isEnded(status) ? null : current.failure),
    reason: incoming.reason ?? current.reason
  };
}

function stepFromAPI(step: IRunStep): IStepRunState {
  return {
    uuid: step.uuid,
    title: step.title ?? '',
    filePath: step.file_path ?? '',
    status: step.status,
    startedAt: step.started_at ?? null,
    finishedAt: step.finished_at ?? null,
    failure: step.failure ?? null,
    reason: step.reason ?? null
  };
}

/** Count ended steps (progress) when every step is known. */
function withProgress(run: IRunState): IRunState {
  if (!run.complete) {
    return run;
  }
  const total = run.stepOrder.length;
  const done = run.stepOrder.filter(uuid =>
    isEnded(run.steps[uuid].status)
  ).length;
  const progress = {
    total: Math.max(total, run.progress.total),
    done: Math.max(done, run.progress.done)
  };
  return progress.done === run.progress.done &&
    progress.total === run.progress.total
    ? run
    : { ...run, progress };
}

/** An empty run, for news about a run not seen before. */
export function emptyRun(id: string, pipelinePath: string): IRunState {
  return {
    id,
    pipelinePath,
    pipelineName: '',
    mode: '',
    kind: '',
    jobId: null,
    status: 'PENDING',
    createdAt: null,
    startedAt: null,
    finishedAt: null,
    reason: null,
    progress: { done: 0, total: 0 },
    steps: {},
    stepOrder: [],
    complete: false
  };
}

/** The run-level fields shared by runs, summaries and run events. */
function mergeRunFields(
  current: IRunState,
  incoming: Partial<IRunBase> & { status: RunStatus }
): IRunState {
  const status = mergeStatus(current.status, incoming.status);
  const newer = status === incoming.status;
  const progress = incoming.progress
    ? {
        done: Math.max(incoming.progress.done ?? 0, current.progress.done),
        total: Math.max(incoming.progress.total ?? 0, current.progress.total)
      }
    : current.progress;
  return {
    ...current,
    pipelinePath: incoming.pipeline_path || current.pipelinePath,
    pipelineName: incoming.pipeline_name || current.pipelineName,
    mode: incoming.mode || current.mode,
    kind: incoming.kind || current.kind,
    jobId: incoming.job_id ?? current.jobId,
    status,
    createdAt: incoming.created_at ?? current.createdAt,
    startedAt: incoming.started_at ?? current.startedAt,
    finishedAt: newer
      ? (incoming.finished_at ?? current.finishedAt)
      : current.finishedAt,
    reason: newer ? (incoming.reason ?? current.reason) : current.reason,
    progress
  };
}

/** A run from `GET runs/<id>` (or `POST runs`), merged into what we know. */
export function applyRun(current: IRunState | undefined, run: IRun): IRunState {
  const base = mergeRunFields(
    current ?? emptyRun(run.id, run.pipeline_path),
    run
  );
  const steps: Record<string, IStepRunState> = { ...base.steps };
  const order: string[] = [];
  for (const step of run.steps ?? []) {
    steps[step.uuid] = mergeStep(base.steps[step.uuid], stepFromAPI(step));
    order.push(step.uuid);
  }
  for (const uuid of base.stepOrder) {
    if (!order.includes(uuid)) {
      order.push(uuid);
    }
  }
  return withProgress({ ...base, steps, stepOrder: order, complete: true });
}

/** A run from `GET runs` (steps are only counted there). */
export function applySummary(
  current: IRunState | undefined,
  summary: IRunSummary
): IRunState {
  const base = mergeRunFields(
    current ?? emptyRun(summary.id, summary.pipeline_path),
    summary
  );
  if (current?.complete) {
    return base;
  }
  const total = Object.values(summary.steps ?? {}).reduce(
    (sum, count) => sum + (count ?? 0),
    0
  );
  return total > base.progress.total
    ? { ...base, progress: { ...base.progress, total } }
    : base;
}

/** A run event. */
export function applyRunEvent(
  current: IRunState | undefined,
  event: IRunEvent
): IRunState {
  const base = current ?? emptyRun(event.run_id, event.pipeline_path);
  return withProgress(
    mergeRunFields(base, { ...event, id: event.run_id } as IRunBase)
  );
}

/** A step event. */
export function applyStepEvent(
  current: IRunState | undefined,
  event: IStepEvent
): IRunState {
  const base = current ?? emptyRun(event.run_id, event.pipeline_path);
  const known = base.steps[event.step_uuid];
  const step = mergeStep(known, {
    uuid: event.step_uuid,
    title: event.title ?? '',
    filePath: known?.filePath ?? '',
    status: event.status,
    startedAt: event.started_at ?? null,
    finishedAt: event.finished_at ?? null,
    failure: event.failure ?? null,
    reason: event.reason ?? null
  });
  const stepOrder = known ? base.stepOrder : [...base.stepOrder, step.uuid];
  // A step that starts means the run started, even before its own event.
  const status =
    event.status === 'STARTED'
      ? mergeStatus(base.status, 'STARTED')
      : base.status;
  return withProgress({
    ...base,
    status,
    startedAt: base.startedAt ?? (status === 'STARTED' ? step.startedAt : null),
    steps: { ...base.steps, [step.uuid]: step },
    stepOrder
  });
}

/** Milliseconds between two ISO times (or until `now`); null without a start. */
export function elapsedMs(
  startedAt: string | null,
  finishedAt: string | null,
  now: number = Date.now()
): number | null {
  if (!startedAt) {
    return null;
  }
  const start = Date.parse(startedAt);
  const end = finishedAt ? Date.parse(finishedAt) : now;
  if (Number.isNaN(start) || Number.isNaN(end)) {
    return null;
  }
  return Math.max(0, end - start);
}

/** `0.4 s`, `12 s`, `3:07`, `1:02:03`. */
export function formatDuration(ms: number | null): string {
  if (ms === null) {
    return '';
  }
  if (ms < 10_000) {
    return `${(ms / 1000).toFixed(1)} s`;
  }
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) {
    return `${seconds} s`;
  }
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** What a status is called in the interface. */
export function statusLabel(status: RunStatus): string {
  switch (status) {
    case 'PENDING':
      return 'Queued';
    case 'STARTED':
      return 'Running';
    case 'SUCCESS':
      return 'Succeeded';
    case 'FAILURE':
      return 'Failed';
    case 'SKIPPED':
      return 'Skipped';
    case 'ABORTED':
      return 'Aborted';
  }
}

/** What a run's progress bar shows. */
export interface IRunMeter {
  value: number;
  max: number;
  /** The run ended badly (failed, aborted): drawn in the failure colour. */
  failed: boolean;
  /** The bar's text for assistive technology. */
  text: string;
}

/**
 * A run's progress bar: the steps that ended while it runs or after it
 * succeeded; after it ended badly, only the steps that succeeded (a failed
 * run is not "complete").
 */
export function runMeter(run: IRunState): IRunMeter {
  const { done, total } = run.progress;
  const failed = isEnded(run.status) && run.status !== 'SUCCESS';
  if (!failed) {
    return {
      value: done,
      max: Math.max(total, 1),
      failed,
      text: `${done} of ${total} steps`
    };
  }
  const succeeded = run.stepOrder.filter(
    uuid => run.steps[uuid]?.status === 'SUCCESS'
  ).length;
  return {
    value: succeeded,
    max: Math.max(total, 1),
    failed,
    text: `${statusLabel(run.status)}: ${succeeded} of ${total} steps succeeded`
  };
}
