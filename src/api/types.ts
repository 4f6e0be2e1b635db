/**
 * Types of the orchest-lab REST API's requests and answers (see
 * `orchest_lab/handlers/openapi.json`).
 */

/** How bad an issue is: errors make a pipeline invalid, warnings do not. */
export type Severity = 'error' | 'warning';

/** One problem found in a pipeline. */
export interface IIssue {
  severity: Severity;
  /** Machine-readable kind, e.g. `cycle`, `missing-file`, `invalid-json`. */
  code: string;
  /** A sentence for people. */
  message: string;
  /** The step the issue is about, if any. */
  step_uuid: string | null;
  /** Every step involved, when there are several (e.g. the steps of a cycle). */
  related_step_uuids?: string[];
  /** JSON pointer to the offending value ('' for the whole document). */
  pointer: string;
  /** 1-based line of a JSON syntax error. */
  line?: number;
  /** 1-based column of a JSON syntax error. */
  column?: number;
}

/** A pipeline file found under the server root. */
export interface IPipelineSummary {
  /** Path relative to the server root (posix). */
  path: string;
  name: string;
  uuid: string;
  step_count: number;
  /** The project folder (the folder holding the file). */
  project: string;
  /** Why the file could not be read, or null. */
  error: string | null;
}

/**
 * Which pipeline to work on: a file on disk (`path`), its unsaved text
 * (`content`, so JSON syntax errors get a line and column) or an already
 * parsed object (`pipeline`). Give `path` with `content`/`pipeline` so that
 * file and environment references are checked against the right project.
 */
export interface IPipelineSource {
  path?: string;
  content?: string;
  pipeline?: object;
}

/** The answer of `POST pipelines/validate`. */
export interface IValidationResult {
  valid: boolean;
  issues: IIssue[];
}

/** Something of a converted pipeline the other format cannot hold. */
export interface IUnmappedItem {
  /** What it is, e.g. "dependencies" or "pipeline parameter 'x'". */
  what: string;
  /** What happened to it, and why. */
  message: string;
  /** JSON pointer into the source file ('' when it is about the whole file). */
  pointer: string;
  /** The label of the node (step) it belongs to, if any. */
  node: string | null;
}

/** The answer of `POST pipelines/import-elyra` and `pipelines/export-elyra`. */
export interface IElyraConversion {
  /** The file written, relative to the server root. */
  path: string;
  unmapped: IUnmappedItem[];
}

/** Which steps a run executes. */
export type RunMode =
  | 'full'
  | 'selection'
  | 'incoming'
  | 'downstream'
  /** The selected steps and their ancestors (none: every step) not up to date. */
  | 'outdated';

/** The body of `POST pipelines/plan`. */
export interface IPlanRequest extends IPipelineSource {
  mode: RunMode;
  /** The selected steps (for every mode but `full`). */
  steps?: string[];
}

/** A step of an execution plan. */
export interface IPlannedStep {
  uuid: string;
  title: string;
  file_path: string;
  /** Why the step is part of the plan (e.g. selected, ancestor). */
  reason: string;
  /** Steps that must finish first. */
  waits_for: string[];
  /** Depth in the plan: steps of one level can run in parallel. */
  level: number;
}

/** What is known of a step's outputs (a plan's `data`). */
export interface IStepDataState {
  uuid: string;
  title: string;
  /** Whether the planned run executes the step. */
  runs: boolean;
  /** Hash of the step's code, parameters, environment and parents' fingerprints. */
  fingerprint: string;
  outputs: 'available' | 'none';
  /** The step succeeded with this fingerprint (and its output is from then). */
  up_to_date: boolean;
  /** Why it is out of date. */
  why: string | null;
}

/** The answer of `POST pipelines/plan`. */
export interface IExecutionPlan {
  mode: RunMode;
  steps: IPlannedStep[];
  issues: IIssue[];
  /** Every step with its outputs' state (for pipeline files). */
  data?: IStepDataState[];
}

/** A step of a pipeline that runs a given file (`GET pipelines?file=`). */
export interface IStepRef {
  uuid: string;
  title: string;
}

/** A pipeline with steps running a given file (`GET pipelines?file=`). */
export interface IPipelineWithSteps extends IPipelineSummary {
  steps: IStepRef[];
}

/** The status of a run or of one of its steps. */
export type RunStatus =
  'PENDING' | 'STARTED' | 'SUCCESS' | 'FAILURE' | 'SKIPPED' | 'ABORTED';

/** Why a step failed: the exception, or a script's exit status. */
export interface IStepFailure {
  name: string;
  message: string;
  cell_index?: number | null;
  traceback?: string[] | null;
}

/** A step of a run. */
export interface IRunStep {
  uuid: string;
  title: string;
  file_path: string;
  status: RunStatus;
  started_at?: string | null;
  finished_at?: string | null;
  failure?: IStepFailure | null;
  /** Why the step was skipped or aborted. */
  reason?: string | null;
  waits_for?: string[];
  level?: number;
}

/** How far a run is: steps that ended, of all its steps. */
export interface IProgress {
  done: number;
  total: number;
}

/** What runs and run summaries share. */
export interface IRunBase {
  id: string;
  pipeline_path: string;
  pipeline_uuid?: string;
  pipeline_name?: string;
  project?: string;
  mode?: string;
  selected?: string[];
  kind?: 'interactive' | 'job';
  job_id?: string | null;
  status: RunStatus;
  created_at?: string;
  started_at?: string | null;
  finished_at?: string | null;
  reason?: string | null;
  progress?: IProgress;
}

/** A run with its steps (`GET runs/<id>`, `POST runs`, `DELETE runs/<id>`). */
export interface IRun extends IRunBase {
  steps: IRunStep[];
}

/** A run in a list (`GET runs`): steps are counted by status. */
export interface IRunSummary extends IRunBase {
  steps: Partial<Record<RunStatus, number>>;
}

/** Parameters of one run, overriding those in the pipeline file. */
export interface IRunParameters {
  pipeline?: Record<string, unknown>;
  /** By step uuid (or title). */
  steps?: Record<string, Record<string, unknown>>;
}

/** The body of `POST runs`. */
export interface IRunRequest {
  pipeline_path: string;
  mode: RunMode;
  /** Selected steps, by uuid (or title); for every mode but `full`. */
  steps?: string[];
  parameters?: IRunParameters;
}

/** A piece of a step's log. */
export interface ILogChunk {
  text: string;
  /** Where to read on from (bytes). */
  offset: number;
}

/** The state of an environment's latest build. */
export type BuildState =
  'none' | 'queued' | 'building' | 'ready' | 'failed' | 'cancelled';

/** An environment's build status: its latest attempt and the build in service. */
export interface IBuildStatus {
  /** The latest build attempt. */
  state: BuildState;
  /** Why it failed or was cancelled ('up to date' when nothing had to be built). */
  message?: string | null;
  /** What the latest attempt built (the hash of the definition). */
  hash?: string;
  started_at?: string | null;
  finished_at?: string | null;
  /** Whether a build task is active on the server (queued or building). */
  building?: boolean;
  /** The kernelspec of the build in service, if there is one. */
  kernel_name?: string | null;
  /** Whether the build in service was made from the current definition. */
  up_to_date?: boolean;
  [key: string]: unknown;
}

/** An environment of a project (`GET environments?project=`). */
export interface IEnvironment {
  uuid: string;
  name: string;
  language: string;
  base_image?: string;
  gpu_support?: boolean;
  /** The text of `setup_script.sh`. */
  setup_script?: string;
  project?: string;
  kernel_name?: string;
  build?: IBuildStatus;
  /** Why the definition cannot be read (then the other fields may be missing). */
  error?: string;
}

/** The answer of `GET environments?project=`. */
export interface IEnvironmentList {
  /** The project folder as the server names it ('.' for the root). */
  project: string;
  project_uuid: string;
  environments: IEnvironment[];
}

/** The fields of `POST environments` and `PUT environments/<project>/<env>`. */
export interface IEnvironmentFields {
  name?: string;
  language?: string;
  base_image?: string;
  gpu_support?: boolean;
  setup_script?: string;
}
