/**
 * The route groups of the REST API client as interfaces: what the
 * `IOrchestLabAPI` token promises, so consumers (and tests' fakes) do not
 * depend on the concrete classes in `pipelines.ts`, `runs.ts`,
 * `environments.ts` and `jobs.ts`, which implement them.
 */
import type { ISignal } from '@lumino/signaling';

import type {
  IJob,
  IJobChange,
  IJobRequest,
  IJobRunPage,
  JobAction,
  JobSchedule
} from './jobTypes';
import type {
  IEnvironment,
  IEnvironmentFields,
  IEnvironmentList,
  IElyraConversion,
  IExecutionPlan,
  ILogChunk,
  IPipelineSource,
  IPipelineSummary,
  IPipelineWithSteps,
  IPlanRequest,
  IRun,
  IRunRequest,
  IRunSummary,
  IValidationResult
} from './types';

/** Options of the calls that follow a log while it grows. */
export interface IFollowOptions {
  /** The byte to start from (0 by default). */
  offset?: number;
  /** Stops following. */
  signal?: AbortSignal;
}

/** The `pipelines/*` routes. */
export interface IPipelinesAPI {
  /** Every pipeline file under the server root. */
  list(): Promise<IPipelineSummary[]>;
  /** The pipelines with steps that run `file`, each with those steps. */
  withFile(file: string): Promise<IPipelineWithSteps[]>;
  /** Validate a pipeline. */
  validate(
    source: IPipelineSource,
    signal?: AbortSignal
  ): Promise<IValidationResult>;
  /** The steps a run of the given mode would execute, in order. */
  plan(request: IPlanRequest): Promise<IExecutionPlan>;
  /** Import an Elyra pipeline (`.pipeline`) into a new `.orchest` file beside it. */
  importElyra(path: string): Promise<IElyraConversion>;
  /** Export a pipeline into a new Elyra pipeline (`.pipeline`) beside it. */
  exportElyra(path: string): Promise<IElyraConversion>;
}

/** The `runs/*` routes. */
export interface IRunsAPI {
  start(request: IRunRequest): Promise<IRun>;
  list(pipeline?: string): Promise<IRunSummary[]>;
  get(id: string): Promise<IRun>;
  cancel(id: string): Promise<IRun>;
  /** A step's log from byte `offset` on. */
  log(
    runId: string,
    stepUuid: string,
    offset?: number,
    signal?: AbortSignal
  ): Promise<ILogChunk>;
  /** Follow a step's log until the step ended or `signal` aborts. */
  follow(
    runId: string,
    stepUuid: string,
    onText: (text: string) => void,
    options?: IFollowOptions
  ): Promise<void>;
}

/** The `environments/*` routes (a project is its folder, '' for the root). */
export interface IEnvironmentsAPI {
  /** Emitted with the project after this client changed a definition. */
  readonly definitionsChanged: ISignal<IEnvironmentsAPI, string>;
  list(project: string): Promise<IEnvironment[]>;
  listProject(project: string): Promise<IEnvironmentList>;
  get(project: string, envUuid: string): Promise<IEnvironment>;
  create(project: string, fields: IEnvironmentFields): Promise<IEnvironment>;
  update(
    project: string,
    envUuid: string,
    fields: IEnvironmentFields
  ): Promise<IEnvironment>;
  delete(project: string, envUuid: string): Promise<void>;
  build(project: string, envUuid: string): Promise<IEnvironment>;
  cancelBuild(project: string, envUuid: string): Promise<IEnvironment>;
  /** The latest build's log from byte `offset` on. */
  log(
    project: string,
    envUuid: string,
    offset?: number,
    signal?: AbortSignal
  ): Promise<ILogChunk>;
  /** Follow the latest build's log until it ended or `signal` aborts. */
  followLog(
    project: string,
    envUuid: string,
    onText: (text: string) => void,
    options?: IFollowOptions
  ): Promise<void>;
}

/** The `jobs/*` routes. */
export interface IJobsAPI {
  /** Every job, newest first. */
  list(): Promise<IJob[]>;
  /** Make a job; rejects with an `APIError` whose issues point at fields. */
  create(request: IJobRequest): Promise<IJob>;
  get(id: string): Promise<IJob>;
  update(id: string, change: IJobChange): Promise<IJob>;
  delete(id: string): Promise<void>;
  /** Pause, resume, trigger (run now) or cancel a job. */
  act(id: string, action: JobAction): Promise<IJob>;
  pause(id: string): Promise<IJob>;
  resume(id: string): Promise<IJob>;
  trigger(id: string): Promise<IJob>;
  cancel(id: string): Promise<IJob>;
  /** A page of the job's runs, newest first. */
  runs(
    id: string,
    page?: { offset?: number; limit?: number }
  ): Promise<IJobRunPage>;
  /** A run of the job, with its steps. */
  run(id: string, runId: string): Promise<IRun>;
  /** Cancel a running run (resolves with it) or delete an ended one (null). */
  deleteRun(id: string, runId: string): Promise<IRun | null>;
  /** The URL of a file of a run's folder. */
  fileURL(id: string, runId: string, path: string): string;
  /** The text of a file of a run's folder. */
  fileText(
    id: string,
    runId: string,
    path: string,
    signal?: AbortSignal
  ): Promise<string>;
  /** The next five times of a schedule. */
  schedulePreview(
    schedule: Exclude<JobSchedule, null>,
    signal?: AbortSignal
  ): Promise<string[]>;
}
