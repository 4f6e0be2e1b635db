/**
 * Typed client of the orchest-lab REST API (`<base_url>/orchest-lab/api/...`).
 *
 * Each group of routes is a small class hanging off {@link OrchestLabAPI}
 * (`api.pipelines`, later `api.runs`, `api.jobs`, `api.environments`); they
 * all go through {@link OrchestLabAPI.request}, which applies the server
 * settings (auth, XSRF, base URL) and turns error responses into
 * {@link APIError}s.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/** URL prefix of every route, relative to the server's base URL. */
export const API_NAMESPACE = 'orchest-lab/api';

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

/** Which steps a run executes. */
export type RunMode = 'full' | 'selection' | 'incoming' | 'downstream';

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

/** The answer of `POST pipelines/plan`. */
export interface IExecutionPlan {
  mode: RunMode;
  steps: IPlannedStep[];
  issues: IIssue[];
}

/** An error answer of the API, or a failure to reach it. */
export class APIError extends Error {
  constructor(
    message: string,
    options: { status?: number; issues?: IIssue[]; url?: string } = {}
  ) {
    super(message);
    this.name = 'APIError';
    this.status = options.status ?? 0;
    this.issues = options.issues ?? [];
    this.url = options.url ?? '';
  }

  /** HTTP status; 0 when the server could not be reached. */
  readonly status: number;
  /** Issues the server attached to the error (e.g. for invalid input). */
  readonly issues: IIssue[];
  /** The URL that was requested. */
  readonly url: string;
}

/**
 * Build the {@link APIError} for a non-2xx response. The body is expected to
 * be `{message, issues?}`; anything else (an HTML error page, an empty body)
 * still gives a readable message.
 */
export async function errorFromResponse(response: Response): Promise<APIError> {
  const status = response.status;
  const url = response.url;
  let body: unknown = null;
  try {
    const text = await response.text();
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  const data =
    typeof body === 'object' && body !== null
      ? (body as Record<string, unknown>)
      : {};
  const issues = Array.isArray(data.issues) ? (data.issues as IIssue[]) : [];
  let message =
    typeof data.message === 'string' && data.message ? data.message : '';
  if (!message) {
    const reason = response.statusText || 'request failed';
    message =
      status === 404
        ? `The orchest-lab server extension did not answer (404 ${reason}). ` +
          'Is it installed and enabled? See `jupyter server extension list`.'
        : `The orchest-lab server answered ${status} ${reason}`;
  }
  return new APIError(message, { status, issues, url });
}

/** Options of {@link OrchestLabAPI.request}. */
export interface IRequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Sent as JSON. */
  body?: unknown;
  /** Query string parameters. */
  query?: Record<string, string | number | boolean | undefined>;
  /** Cancels the request. */
  signal?: AbortSignal;
}

/** The REST API client. */
export class OrchestLabAPI {
  constructor(options: { serverSettings?: ServerConnection.ISettings } = {}) {
    this.serverSettings =
      options.serverSettings ?? ServerConnection.makeSettings();
    this.pipelines = new PipelinesAPI(this);
  }

  /** Settings of the Jupyter server the API lives on. */
  readonly serverSettings: ServerConnection.ISettings;

  /** `pipelines/*` routes. */
  readonly pipelines: PipelinesAPI;

  /** The absolute URL of an API route. */
  url(endpoint: string, query?: IRequestOptions['query']): string {
    const url = URLExt.join(
      this.serverSettings.baseUrl,
      API_NAMESPACE,
      endpoint
    );
    const params = Object.entries(query ?? {}).filter(
      ([, value]) => value !== undefined
    );
    if (params.length === 0) {
      return url;
    }
    const search = params
      .map(
        ([key, value]) =>
          `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`
      )
      .join('&');
    return `${url}?${search}`;
  }

  /**
   * Call a route and return its decoded JSON body.
   *
   * @throws {APIError} on an error status or when the server is unreachable.
   */
  async request<T>(
    endpoint: string,
    options: IRequestOptions = {}
  ): Promise<T> {
    const url = this.url(endpoint, options.query);
    const init: RequestInit = { method: options.method ?? 'GET' };
    if (options.body !== undefined) {
      init.body = JSON.stringify(options.body);
      init.headers = { 'Content-Type': 'application/json' };
    }
    if (options.signal) {
      init.signal = options.signal;
    }
    let response: Response;
    try {
      response = await ServerConnection.makeRequest(
        url,
        init,
        this.serverSettings
      );
    } catch (reason) {
      if (options.signal?.aborted) {
        throw reason;
      }
      const detail = reason instanceof Error ? reason.message : String(reason);
      throw new APIError(`Could not reach the Jupyter server: ${detail}`, {
        url
      });
    }
    if (!response.ok) {
      throw await errorFromResponse(response);
    }
    const text = await response.text();
    if (!text) {
      return undefined as T;
    }
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new APIError(
        `The orchest-lab server sent a response that is not JSON (${url})`,
        {
          status: response.status,
          url
        }
      );
    }
  }
}

/** The `pipelines/*` routes. */
export class PipelinesAPI {
  constructor(private readonly _api: OrchestLabAPI) {}

  /** Every pipeline file under the server root. */
  async list(): Promise<IPipelineSummary[]> {
    const data = await this._api.request<{ pipelines: IPipelineSummary[] }>(
      'pipelines'
    );
    return data.pipelines;
  }

  /** Validate a pipeline (see {@link IPipelineSource}). */
  validate(
    source: IPipelineSource,
    signal?: AbortSignal
  ): Promise<IValidationResult> {
    return this._api.request<IValidationResult>('pipelines/validate', {
      method: 'POST',
      body: source,
      signal
    });
  }

  /**
   * The steps a run of the given mode would execute, in order.
   *
   * @throws {APIError} with `issues` when the pipeline cannot be planned.
   */
  plan(request: IPlanRequest): Promise<IExecutionPlan> {
    return this._api.request<IExecutionPlan>('pipelines/plan', {
      method: 'POST',
      body: request
    });
  }
}
