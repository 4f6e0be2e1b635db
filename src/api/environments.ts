/**
 * The `environments` routes: a project's environment definitions
 * (`.orchest/environments/<uuid>/`), their builds and build logs.
 *
 * A project is its folder relative to the server root ('' or '.' for the
 * root). In the `environments/<project>/<env>` routes it is a path that may
 * hold slashes; the root is sent as `.%2F` (a bare `.` segment would be
 * dropped by URL normalisation, and the server reads `./` as the root).
 */
import { ISignal, Signal } from '@lumino/signaling';

import type { APIConnection } from './client';
import type { IEnvironmentsAPI, IFollowOptions } from './interfaces';
import type {
  IEnvironment,
  IEnvironmentFields,
  IEnvironmentList,
  ILogChunk
} from './types';

/** The project as the `?project=` query has it ('.' for the root). */
export function projectQuery(project: string): string {
  return project === '' || project === '.' ? '.' : project;
}

/** The project as a path inside a route (each segment URL-encoded). */
export function projectSegment(project: string): string {
  const query = projectQuery(project);
  if (query === '.') {
    return '.%2F';
  }
  return query
    .split('/')
    .filter(part => part !== '')
    .map(encodeURIComponent)
    .join('/');
}

/** The `environments/*` routes. */
export class EnvironmentsAPI implements IEnvironmentsAPI {
  constructor(private readonly _api: APIConnection) {}

  /**
   * Emitted with the project after an environment of it was created, changed
   * or deleted through this client (builds are told by server events).
   */
  get definitionsChanged(): ISignal<this, string> {
    return this._definitionsChanged;
  }

  /**
   * The environments of a project (its folder, relative to the server root;
   * '' for the root).
   */
  async list(project: string): Promise<IEnvironment[]> {
    const data = await this.listProject(project);
    return data.environments;
  }

  /**
   * The environments of a project with the project's name and uuid as the
   * server has them. Broken definitions come with an `error`.
   */
  async listProject(project: string): Promise<IEnvironmentList> {
    const data = await this._api.request<Partial<IEnvironmentList>>(
      'environments',
      { query: { project: projectQuery(project) } }
    );
    return {
      project: typeof data?.project === 'string' ? data.project : project,
      project_uuid:
        typeof data?.project_uuid === 'string' ? data.project_uuid : '',
      environments: Array.isArray(data?.environments) ? data.environments : []
    };
  }

  /** One environment: its definition, kernel name and build status. */
  async get(project: string, envUuid: string): Promise<IEnvironment> {
    return this._api.request<IEnvironment>(this._endpoint(project, envUuid));
  }

  /** Create an environment in the project (`name` is required). */
  async create(
    project: string,
    fields: IEnvironmentFields
  ): Promise<IEnvironment> {
    const created = await this._api.request<IEnvironment>('environments', {
      method: 'POST',
      query: { project: projectQuery(project) },
      body: fields
    });
    this._definitionsChanged.emit(project);
    return created;
  }

  /** Change fields of an environment's definition (others are kept). */
  async update(
    project: string,
    envUuid: string,
    fields: IEnvironmentFields
  ): Promise<IEnvironment> {
    const updated = await this._api.request<IEnvironment>(
      this._endpoint(project, envUuid),
      { method: 'PUT', body: fields }
    );
    this._definitionsChanged.emit(project);
    return updated;
  }

  /**
   * Delete an environment, its builds and its kernelspec. The server refuses
   * (409, naming the steps) while steps of the project use it.
   */
  async delete(project: string, envUuid: string): Promise<void> {
    await this._api.request<void>(this._endpoint(project, envUuid), {
      method: 'DELETE'
    });
    this._definitionsChanged.emit(project);
  }

  /**
   * Start a build (or join the one running); answers at once. The build's
   * progress arrives as `environment-build` events.
   */
  async build(project: string, envUuid: string): Promise<IEnvironment> {
    return this._api.request<IEnvironment>(
      `${this._endpoint(project, envUuid)}/build`,
      { method: 'POST' }
    );
  }

  /** Cancel the running build; the build in service stays. */
  async cancelBuild(project: string, envUuid: string): Promise<IEnvironment> {
    return this._api.request<IEnvironment>(
      `${this._endpoint(project, envUuid)}/build`,
      { method: 'DELETE' }
    );
  }

  /** The latest build's log from byte `offset` on. */
  async log(
    project: string,
    envUuid: string,
    offset = 0,
    signal?: AbortSignal
  ): Promise<ILogChunk> {
    return this._api.logChunk(
      `${this._endpoint(project, envUuid)}/build/log`,
      offset,
      signal
    );
  }

  /**
   * Follow the latest build's log: `onText` gets each piece as the server
   * sends it, until the build ended and the whole log was sent (the promise
   * resolves) or `signal` aborts.
   */
  async followLog(
    project: string,
    envUuid: string,
    onText: (text: string) => void,
    options: IFollowOptions = {}
  ): Promise<void> {
    return this._api.followLog(
      `${this._endpoint(project, envUuid)}/build/log`,
      onText,
      options
    );
  }

  private _definitionsChanged = new Signal<this, string>(this);

  private _endpoint(project: string, envUuid: string): string {
    return `environments/${projectSegment(project)}/${encodeURIComponent(envUuid)}`;
  }
}
