/**
 * The services other plugins can depend on: their interfaces and tokens.
 * Tokens are typed to these interfaces, which the classes in `api/`,
 * `model/RunsModel.ts`, `model/JobsModel.ts` and `runner/RunLauncher.ts`
 * implement. This module only imports types from modules that import
 * nothing of the extension's upper layers, so widgets and models can use it
 * without an import cycle.
 * The editor tracker's token is in `editorTracker.ts`: its type is the
 * editor widget, which itself uses these interfaces.
 */
import { Token } from '@lumino/coreutils';
import type { ISignal } from '@lumino/signaling';

import type {
  IDataAPI,
  IEnvironmentsAPI,
  IJobsAPI,
  IPipelinesAPI,
  IRunsAPI
} from './api/interfaces';
import type { IJob, IJobRequest, JobAction } from './api/jobTypes';
import type { IRunRequest, RunMode } from './api/types';
import type { IRunEvent, IStepEvent } from './model/events';
import type { IRunState } from './model/runState';

/** The client of the REST API: one object per route group. */
export interface IOrchestLabAPI {
  /** `pipelines/*` routes. */
  readonly pipelines: IPipelinesAPI;
  /** `runs/*` routes. */
  readonly runs: IRunsAPI;
  /** `environments/*` routes. */
  readonly environments: IEnvironmentsAPI;
  /** `jobs/*` routes. */
  readonly jobs: IJobsAPI;
  /** `pipelines/data*` routes (stored outputs, previews). */
  readonly data: IDataAPI;
}

/** The REST API client, shared by every plugin. */
export const IOrchestLabAPI = new Token<IOrchestLabAPI>(
  'orchest-lab:IOrchestLabAPI',
  'The client of the orchest-lab REST API.'
);

/** Every run the frontend knows about, kept live from the server's events. */
export interface IRunsModel {
  /** Emitted with each run that changed. */
  readonly changed: ISignal<IRunsModel, IRunState>;
  /** All known runs, newest first. */
  readonly runs: IRunState[];
  /** A run by id. */
  get(id: string): IRunState | undefined;
  /**
   * The newest interactive run of a pipeline (path relative to the server
   * root); runs of jobs are left out.
   */
  latest(pipelinePath: string): IRunState | undefined;
  /** Interactive runs still queued or running (of one pipeline, when given). */
  active(pipelinePath?: string): IRunState[];
  /** Load the list of runs (of one pipeline, when given). */
  refresh(pipelinePath?: string): Promise<void>;
  /** Fetch one run with all its steps. */
  fetch(id: string): Promise<IRunState>;
  /** Start a run; rejects with an `APIError` when the server refuses it. */
  start(request: IRunRequest): Promise<IRunState>;
  /** Cancel a run; resolves once it stopped. */
  cancel(id: string): Promise<IRunState>;
}

/** The store of runs, kept live from the server's events. */
export const IRunsModel = new Token<IRunsModel>(
  'orchest-lab:IRunsModel',
  'Every run the frontend knows about, updated live.'
);

/** What to run. */
export interface IRunTarget {
  /** The pipeline file, relative to the server root. */
  pipelinePath: string;
  mode: RunMode;
  /** Selected steps (uuids), for every mode but `full`. */
  steps?: string[];
}

/** Starts and cancels runs, saving and asking the user first where needed. */
export interface IRunLauncher {
  /**
   * Run (part of) a pipeline. Resolves with the new run, or null when the
   * user cancelled or the server refused (after telling the user why).
   */
  run(target: IRunTarget): Promise<IRunState | null>;
  /** Cancel a run; null when it failed (after telling the user why). */
  cancel(runId: string): Promise<IRunState | null>;
}

/** Starts and cancels runs (saving and asking first where needed). */
export const IRunLauncher = new Token<IRunLauncher>(
  'orchest-lab:IRunLauncher',
  'Starts and cancels pipeline runs.'
);

/** A run or step event of a run of a job. */
export interface IJobRunEvent {
  jobId: string;
  runId: string;
  event: IRunEvent | IStepEvent;
}

/** Every job, loaded once and kept live from the server's events. */
export interface IJobsModel {
  /** Emitted with the id of a job that changed, or null when all did. */
  readonly changed: ISignal<IJobsModel, string | null>;
  /** Emitted with each run or step event of a job's run. */
  readonly runEvent: ISignal<IJobsModel, IJobRunEvent>;
  /** Every job, newest first. */
  readonly jobs: IJob[];
  readonly loaded: boolean;
  readonly loading: boolean;
  /** Why the list could not be loaded, or null. */
  readonly error: string | null;
  get(id: string): IJob | undefined;
  /** Load the list once (again after a failure). */
  load(): Promise<void>;
  /** Make a job; rejects with an `APIError` whose issues point at fields. */
  create(request: IJobRequest): Promise<IJob>;
  /** Pause, resume, trigger or cancel a job. */
  act(id: string, action: JobAction): Promise<IJob>;
  delete(id: string): Promise<void>;
}

/** The jobs, kept live from the server's events. */
export const IJobsModel = new Token<IJobsModel>(
  'orchest-lab:IJobsModel',
  'Every job, updated live.'
);
