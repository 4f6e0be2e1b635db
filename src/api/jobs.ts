/**
 * The `jobs/*` routes: make, list, change, pause, resume, trigger, cancel and
 * delete jobs; their runs (a page at a time), one run, a run's files; and the
 * preview of a schedule's next times.
 */
import type { APIConnection } from './client';
import type { IJobsAPI } from './interfaces';
import type {
  IJob,
  IJobChange,
  IJobRequest,
  IJobRunPage,
  JobAction,
  JobSchedule
} from './jobTypes';
import type { IRun } from './types';

/** A path as a route's tail: each segment URL-encoded, slashes kept. */
export function pathSegments(path: string): string {
  return path
    .split('/')
    .filter(part => part !== '' && part !== '.')
    .map(encodeURIComponent)
    .join('/');
}

/** The `jobs/*` routes. */
export class JobsAPI implements IJobsAPI {
  constructor(private readonly _api: APIConnection) {}

  /** Every job, newest first. */
  async list(): Promise<IJob[]> {
    const data = await this._api.request<{ jobs?: IJob[] }>('jobs');
    return Array.isArray(data?.jobs) ? data.jobs : [];
  }

  /**
   * Make a job: the server snapshots the project, then runs it now, at its
   * time or on its schedule.
   *
   * @throws {APIError} a 400 whose issues' `pointer` names the field at fault.
   */
  create(request: IJobRequest): Promise<IJob> {
    return this._api.request<IJob>('jobs', { method: 'POST', body: request });
  }

  /** A job, with its webhook deliveries. */
  get(id: string): Promise<IJob> {
    return this._api.request<IJob>(this._endpoint(id));
  }

  /** Change a job's name, schedule, variables, retention or webhook. */
  update(id: string, change: IJobChange): Promise<IJob> {
    return this._api.request<IJob>(this._endpoint(id), {
      method: 'PUT',
      body: change
    });
  }

  /** Delete a job: its runs are cancelled, its folder and records removed. */
  async delete(id: string): Promise<void> {
    await this._api.request<void>(this._endpoint(id), { method: 'DELETE' });
  }

  /**
   * Pause or resume a schedule, run the job now, or cancel it.
   *
   * @throws {APIError} 409 when not possible now (nothing to pause, not
   * paused, runs still in flight, cancelled).
   */
  act(id: string, action: JobAction): Promise<IJob> {
    return this._api.request<IJob>(`${this._endpoint(id)}/${action}`, {
      method: 'POST'
    });
  }

  /** Stop the schedule until resumed. */
  pause(id: string): Promise<IJob> {
    return this.act(id, 'pause');
  }

  /** Go on with the schedule (times missed meanwhile do not run). */
  resume(id: string): Promise<IJob> {
    return this.act(id, 'resume');
  }

  /** Run the job's combinations once, now. */
  trigger(id: string): Promise<IJob> {
    return this.act(id, 'trigger');
  }

  /** Stop the job: its runs are cancelled, nothing more runs. */
  cancel(id: string): Promise<IJob> {
    return this.act(id, 'cancel');
  }

  /** A page of the job's runs, newest first. */
  async runs(
    id: string,
    page: { offset?: number; limit?: number } = {}
  ): Promise<IJobRunPage> {
    const data = await this._api.request<Partial<IJobRunPage>>(
      `${this._endpoint(id)}/runs`,
      { query: { offset: page.offset, limit: page.limit } }
    );
    return {
      runs: Array.isArray(data?.runs) ? data.runs : [],
      total: typeof data?.total === 'number' ? data.total : 0,
      offset: typeof data?.offset === 'number' ? data.offset : 0
    };
  }

  /** A run of the job, with its steps. */
  run(id: string, runId: string): Promise<IRun> {
    return this._api.request<IRun>(this._runEndpoint(id, runId));
  }

  /**
   * Cancel a running run (resolves with it), or delete an ended one, its
   * folder and records (resolves with null).
   */
  async deleteRun(id: string, runId: string): Promise<IRun | null> {
    const run = await this._api.request<IRun | undefined>(
      this._runEndpoint(id, runId),
      { method: 'DELETE' }
    );
    return run ?? null;
  }

  /**
   * The URL of a file of a run's folder (the project as the run left it:
   * notebooks hold the run's outputs). `path` is relative to that folder.
   * It needs the server's authentication, as every route.
   */
  fileURL(id: string, runId: string, path: string): string {
    return this._api.url(
      `${this._runEndpoint(id, runId)}/files/${pathSegments(path)}`
    );
  }

  /** The text of a file of a run's folder (notebooks as JSON text). */
  async fileText(
    id: string,
    runId: string,
    path: string,
    signal?: AbortSignal
  ): Promise<string> {
    const response = await this._api.fetch(
      `${this._runEndpoint(id, runId)}/files/${pathSegments(path)}`,
      { signal }
    );
    return response.text();
  }

  /**
   * The next five times of a schedule (ISO 8601 with offsets).
   *
   * @throws {APIError} a 400 naming the field (`/cron`, `/timezone`, `/at`).
   */
  async schedulePreview(
    schedule: Exclude<JobSchedule, null>,
    signal?: AbortSignal
  ): Promise<string[]> {
    const data = await this._api.request<{ next?: string[] }>(
      'jobs/schedule-preview',
      { method: 'POST', body: schedule, signal }
    );
    return Array.isArray(data?.next) ? data.next : [];
  }

  private _endpoint(id: string): string {
    return `jobs/${encodeURIComponent(id)}`;
  }

  private _runEndpoint(id: string, runId: string): string {
    return `${this._endpoint(id)}/runs/${encodeURIComponent(runId)}`;
  }
}
