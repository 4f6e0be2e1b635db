/**
 * The `runs/*` routes: start, list, read and cancel runs, read step logs.
 */
import type { APIConnection } from './client';
import type { IFollowOptions, IRunsAPI } from './interfaces';
import type { ILogChunk, IRun, IRunRequest, IRunSummary } from './types';

/** The `runs/*` routes. */
export class RunsAPI implements IRunsAPI {
  constructor(private readonly _api: APIConnection) {}

  /**
   * Start a run of the pipeline file on disk (save the document first).
   *
   * @throws {APIError} with the server's message and `issues` when the
   * pipeline is invalid or the request is wrong.
   */
  start(request: IRunRequest): Promise<IRun> {
    return this._api.request<IRun>('runs', { method: 'POST', body: request });
  }

  /** Runs, newest first; only those of one pipeline when `pipeline` is given. */
  async list(pipeline?: string): Promise<IRunSummary[]> {
    const data = await this._api.request<{ runs: IRunSummary[] }>('runs', {
      query: { pipeline }
    });
    return data.runs;
  }

  /** A run with its steps. */
  get(id: string): Promise<IRun> {
    return this._api.request<IRun>(`runs/${encodeURIComponent(id)}`);
  }

  /** Cancel a run; answers once every kernel and process of it stopped. */
  cancel(id: string): Promise<IRun> {
    return this._api.request<IRun>(`runs/${encodeURIComponent(id)}`, {
      method: 'DELETE'
    });
  }

  /** The endpoint of a step's log. */
  private _logEndpoint(runId: string, stepUuid: string): string {
    return `runs/${encodeURIComponent(runId)}/steps/${encodeURIComponent(stepUuid)}/log`;
  }

  /** A step's log from byte `offset` on. */
  async log(
    runId: string,
    stepUuid: string,
    offset = 0,
    signal?: AbortSignal
  ): Promise<ILogChunk> {
    return this._api.logChunk(
      this._logEndpoint(runId, stepUuid),
      offset,
      signal
    );
  }

  /**
   * Follow a step's log: `onText` gets each piece as the server sends it,
   * until the step ended and the whole log was sent (the promise resolves) or
   * `signal` aborts.
   */
  async follow(
    runId: string,
    stepUuid: string,
    onText: (text: string) => void,
    options: IFollowOptions = {}
  ): Promise<void> {
    return this._api.followLog(
      this._logEndpoint(runId, stepUuid),
      onText,
      options
    );
  }
}
