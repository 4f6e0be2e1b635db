/**
 * The environments of one project, for the step properties' dropdown:
 * loaded from the server, reloaded on demand (e.g. when a build changes).
 */
import { ISignal, Signal } from '@lumino/signaling';

import type { IEnvironment } from '../api';
import { errorMessage } from './errorMessage';

/** Where the list stands. */
export type EnvironmentsStatus =
  | 'idle'
  | 'loading'
  | 'ready'
  /** The server has no environments route (404). */
  | 'unavailable'
  | 'failed';

/** Loads a project's environments (`api.environments.list` in the app). */
export type EnvironmentsLoader = (project: string) => Promise<IEnvironment[]>;

/** The environments of a project. */
export class EnvironmentsModel {
  constructor(loader: EnvironmentsLoader) {
    this._loader = loader;
  }

  /** Emitted when the status or the list changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get status(): EnvironmentsStatus {
    return this._status;
  }

  /** The environments that could be read (not those with a broken definition). */
  get environments(): readonly IEnvironment[] {
    return this._environments;
  }

  /** Why the list could not be loaded. */
  get error(): string | null {
    return this._error;
  }

  /** The project folder ('' for the server root), once known. */
  get project(): string | null {
    return this._project;
  }

  /** An environment by uuid. */
  find(uuid: string): IEnvironment | undefined {
    return this._environments.find(env => env.uuid === uuid);
  }

  /** Load (or reload) the environments of `project`. */
  async load(project: string = this._project ?? ''): Promise<void> {
    this._project = project;
    const generation = ++this._generation;
    this._status = 'loading';
    this._changed.emit();
    try {
      const list = await this._loader(project);
      if (generation !== this._generation) {
        return;
      }
      this._environments = list.filter(env => !env.error && env.name);
      this._status = 'ready';
      this._error = null;
    } catch (reason) {
      if (generation !== this._generation) {
        return;
      }
      const status = (reason as { status?: number }).status;
      this._status = status === 404 ? 'unavailable' : 'failed';
      this._error =
        status === 404
          ? 'This server does not list environments (404): steps can still name one by uuid.'
          : `Could not load the environments: ${errorMessage(reason)}`;
      this._environments = [];
    }
    this._changed.emit();
  }

  private _loader: EnvironmentsLoader;
  private _project: string | null = null;
  private _status: EnvironmentsStatus = 'idle';
  private _environments: IEnvironment[] = [];
  private _error: string | null = null;
  private _generation = 0;
  private _changed = new Signal<this, void>(this);
}
