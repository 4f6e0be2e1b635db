/**
 * The live events the orchest-lab server publishes on Jupyter Server's event
 * bus (schemas in `orchest_lab/events/schemas/`), and type guards to tell
 * them apart. Every message is `{schema_id, ...data}`.
 */
import type { IJobLastRun, JobRunCounts, JobStatus } from '../api/jobTypes';
import type { IProgress, IStepFailure, RunStatus } from '../api/types';

const BASE = 'https://events.orchest-lab.dev/';

/** Schema ids of the events. */
export namespace EventSchemas {
  export const run = `${BASE}run`;
  export const step = `${BASE}step`;
  export const cell = `${BASE}cell`;
  export const environmentBuild = `${BASE}environment-build`;
  export const environmentBuildLog = `${BASE}environment-build-log`;
  export const job = `${BASE}job`;
}

/** A run changed status or progress. */
export interface IRunEvent {
  schema_id: typeof EventSchemas.run;
  run_id: string;
  pipeline_path: string;
  pipeline_uuid?: string;
  pipeline_name?: string;
  mode?: string;
  kind?: string;
  job_id?: string | null;
  status: RunStatus;
  reason?: string | null;
  created_at?: string;
  started_at?: string | null;
  finished_at?: string | null;
  progress?: IProgress;
}

/** A step of a run changed status. */
export interface IStepEvent {
  schema_id: typeof EventSchemas.step;
  run_id: string;
  pipeline_path: string;
  step_uuid: string;
  title?: string;
  status: RunStatus;
  started_at?: string | null;
  finished_at?: string | null;
  reason?: string | null;
  failure?: IStepFailure | null;
}

/** A notebook cell a run executes started, produced output or finished. */
export interface ICellEvent {
  schema_id: typeof EventSchemas.cell;
  run_id: string;
  pipeline_path?: string;
  step_uuid: string;
  /** The notebook being written, relative to the server root. */
  path: string;
  index: number;
  cell_id?: string | null;
  state: 'running' | 'done';
  execution_count?: number | null;
  /** The event's number among the cell's events in this step, from 1. */
  seq?: number;
  /**
   * Without `append`: the cell's whole output list (nbformat), replacing
   * what it showed. With it: the outputs after output `append.output`.
   */
  outputs: unknown[];
  /**
   * Present when the event carries only what is new since event `seq - 1`:
   * the stream output `output` grew by `text`.
   */
  append?: ICellAppend | null;
}

/** What a cell's stream output grew by since the cell's previous event. */
export interface ICellAppend {
  output: number;
  text: string;
}

/** An environment build changed state (the whole build status). */
export interface IBuildEvent {
  schema_id: typeof EventSchemas.environmentBuild;
  /** The project folder as the server names it ('.' for the root). */
  project: string;
  environment_uuid: string;
  state: string;
  message?: string | null;
  hash?: string;
  started_at?: string | null;
  finished_at?: string | null;
  kernel_name?: string | null;
  up_to_date?: boolean;
  building?: boolean;
}

/** A job changed (status, next run, its runs), was made or was deleted. */
export interface IJobEvent {
  schema_id: typeof EventSchemas.job;
  job_id: string;
  name?: string;
  pipeline_path?: string;
  status: JobStatus | 'DELETED';
  next_run_at?: string | null;
  runs?: JobRunCounts;
  last_run?: IJobLastRun | null;
  disk_bytes?: number;
}

/** Text a build of an environment wrote to its log. */
export interface IBuildLogEvent {
  schema_id: typeof EventSchemas.environmentBuildLog;
  project: string;
  environment_uuid: string;
  text: string;
}

function has(
  message: unknown,
  schema: string
): message is Record<string, unknown> {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { schema_id?: unknown }).schema_id === schema
  );
}

/** Whether a bus message is a run event. */
export function isRunEvent(message: unknown): message is IRunEvent {
  return (
    has(message, EventSchemas.run) &&
    typeof message.run_id === 'string' &&
    typeof message.status === 'string'
  );
}

/** Whether a bus message is a step event. */
export function isStepEvent(message: unknown): message is IStepEvent {
  return (
    has(message, EventSchemas.step) &&
    typeof message.run_id === 'string' &&
    typeof message.step_uuid === 'string' &&
    typeof message.status === 'string'
  );
}

/** Whether a bus message is a cell event. */
export function isCellEvent(message: unknown): message is ICellEvent {
  return (
    has(message, EventSchemas.cell) &&
    typeof message.path === 'string' &&
    typeof message.index === 'number' &&
    Array.isArray(message.outputs)
  );
}

/** Whether a bus message is an environment build event. */
export function isBuildEvent(message: unknown): message is IBuildEvent {
  return (
    has(message, EventSchemas.environmentBuild) &&
    typeof message.project === 'string'
  );
}

/** Whether a bus message is an environment build log event. */
export function isBuildLogEvent(message: unknown): message is IBuildLogEvent {
  return (
    has(message, EventSchemas.environmentBuildLog) &&
    typeof message.project === 'string' &&
    typeof message.environment_uuid === 'string' &&
    typeof message.text === 'string'
  );
}

/** Whether a bus message is a job event. */
export function isJobEvent(message: unknown): message is IJobEvent {
  return (
    has(message, EventSchemas.job) &&
    typeof message.job_id === 'string' &&
    typeof message.status === 'string'
  );
}
