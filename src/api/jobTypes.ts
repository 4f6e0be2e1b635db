/**
 * Types of the `jobs/*` routes' requests and answers (see the Job,
 * JobRequest, JobChange, Schedule, ParameterGrid and WebhookDelivery schemas
 * of `orchest_lab/handlers/openapi.json`).
 */
import type { IRunParameters, IRunSummary, RunStatus } from './types';

/** What a job is doing. */
export type JobStatus =
  'PENDING' | 'STARTED' | 'PAUSED' | 'SUCCESS' | 'FAILURE' | 'ABORTED';

/** Runs on a cron expression, in an IANA time zone (UTC by default). */
export interface ICronSchedule {
  cron: string;
  timezone?: string;
}

/** Runs once, at an ISO 8601 time with its offset. */
export interface IAtSchedule {
  at: string;
}

/** When a job runs: null is once, now. */
export type JobSchedule = ICronSchedule | IAtSchedule | null;

/** Values listed per parameter; the runs are their Cartesian product. */
export interface IParameterGrid {
  pipeline?: Record<string, unknown[]>;
  /** By step uuid. */
  steps?: Record<string, Record<string, unknown[]>>;
}

/**
 * A job's runs by status (`PENDING`, `STARTED`, `SUCCESS`, `FAILURE`,
 * `ABORTED`), with `total` and `queued` (waiting for a slot).
 */
export type JobRunCounts = Partial<
  Record<RunStatus | 'total' | 'queued', number>
>;

/** The run of a job that ended last. */
export interface IJobLastRun {
  id: string;
  status: RunStatus;
  finished_at: string | null;
}

/** One try of the failure webhook. */
export interface IWebhookDelivery {
  run_id: string;
  url: string;
  attempt: number;
  at: string;
  status_code?: number | null;
  error?: string | null;
  delivered: boolean;
}

/** A job (`GET jobs/<id>`; `GET jobs` lists them without deliveries). */
export interface IJob {
  id: string;
  name: string;
  /** The pipeline file, relative to the server root. */
  pipeline_path: string;
  /** The project folder, relative to the server root ('' for the root). */
  project?: string;
  pipeline_uuid?: string;
  pipeline_name?: string;
  status: JobStatus;
  schedule: JobSchedule;
  /** The grid as given. */
  parameters?: IParameterGrid;
  /** The runs of one occurrence. */
  combinations?: IRunParameters[];
  env_variables?: Record<string, string>;
  max_retained_runs?: number | null;
  webhook?: { url: string; has_secret: boolean } | null;
  created_at?: string;
  last_occurrence?: string | null;
  next_run_at?: string | null;
  disk_bytes?: number;
  runs?: JobRunCounts;
  last_run?: IJobLastRun | null;
  deliveries?: IWebhookDelivery[];
}

/** The body of `POST jobs`. */
export interface IJobRequest {
  name: string;
  pipeline_path: string;
  parameters?: IParameterGrid;
  /** The combinations of the grid to run (default: all). */
  combinations?: IRunParameters[];
  schedule?: JobSchedule;
  env_variables?: Record<string, string>;
  max_retained_runs?: number | null;
  webhook?: { url: string; secret?: string } | null;
}

/** The body of `PUT jobs/<id>`: the fields to change. */
export interface IJobChange {
  name?: string;
  schedule?: JobSchedule;
  env_variables?: Record<string, string>;
  max_retained_runs?: number | null;
  webhook?: { url: string; secret?: string } | null;
}

/** What `POST jobs/<id>/<action>` does. */
export type JobAction = 'pause' | 'resume' | 'trigger' | 'cancel';

/** A run of a job in its list: with the parameters it ran with. */
export interface IJobRunSummary extends IRunSummary {
  parameters?: IRunParameters;
}

/** A page of a job's runs, newest first. */
export interface IJobRunPage {
  runs: IJobRunSummary[];
  /** How many runs the job has. */
  total: number;
  offset: number;
}
