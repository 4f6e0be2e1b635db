/**
 * The model of the Environments panel: a project's environments with their
 * build state (kept live from the server's build events), the selected one's
 * unsaved edits (name, setup script) and its build log, followed while it
 * builds; creating, saving, deleting, building and cancelling.
 */
import { ISignal, Signal } from '@lumino/signaling';

import type { IEnvironment, IEnvironmentsAPI } from '../api';
import { BuildLog } from './BuildLog';
import { EnvironmentDrafts, IDraft } from './EnvironmentDrafts';
import { IBuildPhase, applyBuildEvent, buildPhase } from './buildState';
import { isBuildEvent, isBuildLogEvent } from './events';
import { errorMessage } from './errorMessage';
import { normalizePath, projectLabel } from './paths';
import { PendingActions } from './PendingActions';
import { ProjectChoice, ProjectLister } from './ProjectChoice';

/** The server calls the panel makes (`api.environments` in the app). */
export type EnvironmentsService = Pick<
  IEnvironmentsAPI,
  | 'listProject'
  | 'create'
  | 'update'
  | 'delete'
  | 'build'
  | 'cancelBuild'
  | 'followLog'
>;

/** Where the list of environments stands. */
export type PanelStatus = 'idle' | 'loading' | 'ready' | 'failed';

/** An action under way on an environment. */
export type EnvironmentAction =
  'saving' | 'building' | 'cancelling' | 'deleting';

/** The Environments panel's state. */
export class EnvironmentsPanelModel {
  constructor(options: EnvironmentsPanelModel.IOptions) {
    this._service = options.service;
    this._choice = new ProjectChoice(options.listProjects ?? null, () =>
      this._changed.emit()
    );
  }

  /** Emitted on every change. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The projects to choose from (folders, '' for the root). */
  get projects(): readonly string[] {
    return this._choice.projects;
  }

  /** The chosen project, or null. */
  get project(): string | null {
    return this._project;
  }

  get status(): PanelStatus {
    return this._status;
  }

  /** Why the environments (or projects) could not be listed. */
  get error(): string | null {
    return this._error;
  }

  /** The project's environments (broken definitions have an `error`). */
  get environments(): readonly IEnvironment[] {
    return this._environments;
  }

  /** The selected environment, if any. */
  get selected(): IEnvironment | null {
    return this.find(this._selected ?? '') ?? null;
  }

  /** The build log of the selected environment. */
  get log(): BuildLog | null {
    return this._log;
  }

  /** An environment of the project by uuid. */
  find(uuid: string): IEnvironment | undefined {
    return this._environments.find(env => env.uuid === uuid);
  }

  /** The name and setup script to edit, with the unsaved changes. */
  draft(uuid: string): IDraft | null {
    return this._drafts.draft(this.find(uuid));
  }

  /** What is being done to an environment, or null. */
  action(uuid: string): EnvironmentAction | null {
    return this._actions.get(uuid);
  }

  /** Why the last action on an environment failed (the server's message). */
  actionError(uuid: string): string | null {
    return this._actions.error(uuid);
  }

  /** The step of the environment's running build, as its log tells. */
  phase(uuid: string): IBuildPhase | null {
    return this._phases.get(uuid) ?? null;
  }

  /** Reload the list of projects (keeping the chosen one listed). */
  async loadProjects(): Promise<void> {
    try {
      await this._choice.load();
    } catch (reason) {
      this._error = `Could not list the projects: ${errorMessage(reason)}`;
      this._changed.emit();
    }
  }

  /** Add projects to the choice (e.g. the current editor's). */
  addProjects(projects: string[]): void {
    this._choice.add(projects);
  }

  /** Choose a project and load its environments. */
  async setProject(project: string): Promise<void> {
    const normalized = normalizePath(project);
    if (normalized === this._project && this._status !== 'failed') {
      return this.refresh();
    }
    this._project = normalized;
    this.addProjects([normalized]);
    this._environments = [];
    this._drafts.clear();
    this._actions.clear();
    this._phases.clear();
    this._selected = null;
    this._stopLog();
    await this.refresh();
  }

  /** Reload the chosen project's environments (unsaved edits are kept). */
  async refresh(): Promise<void> {
    const project = this._project;
    if (project === null) {
      return;
    }
    const generation = ++this._generation;
    this._status = 'loading';
    this._changed.emit();
    try {
      const list = await this._service.listProject(project);
      if (generation !== this._generation) {
        return;
      }
      this._environments = [...list.environments].sort(byName);
      this._status = 'ready';
      this._error = null;
      this._drafts.retain(uuid => this.find(uuid) !== undefined);
      if (this._selected !== null && !this.find(this._selected)) {
        this._selected = null;
        this._stopLog();
      }
      if (this._selected === null && this._environments.length > 0) {
        this.select(this._environments[0].uuid);
        return;
      }
    } catch (reason) {
      if (generation !== this._generation) {
        return;
      }
      this._status = 'failed';
      this._error = `Could not list the environments of ${projectLabel(project)}: ${errorMessage(reason)}`;
      this._environments = [];
    }
    this._changed.emit();
  }

  /** Select an environment (null: none) and show its latest build log. */
  select(uuid: string | null): void {
    if (uuid === this._selected && this._log?.uuid === uuid) {
      return;
    }
    this._selected = uuid;
    this._stopLog();
    const env = uuid === null ? undefined : this.find(uuid);
    if (env && !env.error) {
      this._followLog(env.uuid);
    }
    this._changed.emit();
  }

  /** Edit the name (not saved until {@link save}). */
  setName(uuid: string, name: string): void {
    this._edit(uuid, { name });
  }

  /** Edit the setup script (not saved until {@link save}). */
  setScript(uuid: string, script: string): void {
    this._edit(uuid, { script });
  }

  /** Drop the unsaved changes. */
  revert(uuid: string): void {
    this._drafts.drop(uuid);
    this._actions.clearError(uuid);
    this._changed.emit();
  }

  /**
   * Save the name and setup script. On failure the edits stay and
   * {@link actionError} has the server's message.
   */
  async save(uuid: string): Promise<boolean> {
    const draft = this.draft(uuid);
    const project = this._project;
    if (!draft || project === null || this._actions.get(uuid) !== null) {
      return false;
    }
    if (!draft.dirty) {
      return true;
    }
    const sent = { name: draft.name, setup_script: draft.script };
    const saved = await this._run(uuid, 'saving', () =>
      this._service.update(project, uuid, sent)
    );
    if (!saved) {
      return false;
    }
    this._replace(saved);
    this._drafts.saved(uuid, { name: sent.name, script: sent.setup_script });
    this._changed.emit();
    return true;
  }

  /** Create an environment in the project and select it. */
  async create(name: string): Promise<IEnvironment | null> {
    const project = this._project;
    if (project === null) {
      return null;
    }
    try {
      const created = await this._service.create(project, {
        name,
        language: 'python'
      });
      if (project !== this._project) {
        return created;
      }
      this._createError = null;
      this._environments = [
        ...this._environments.filter(env => env.uuid !== created.uuid),
        created
      ].sort(byName);
      this.select(created.uuid);
      return created;
    } catch (reason) {
      this._createError = errorMessage(reason);
      this._changed.emit();
      return null;
    }
  }

  /** Why the last creation failed. */
  get createError(): string | null {
    return this._createError;
  }

  /**
   * Delete an environment. When the server refuses (steps use it),
   * {@link actionError} has its message, naming the steps.
   */
  async remove(uuid: string): Promise<boolean> {
    const project = this._project;
    if (
      project === null ||
      !this.find(uuid) ||
      this._actions.get(uuid) !== null
    ) {
      return false;
    }
    const done = await this._run(uuid, 'deleting', async () => {
      await this._service.delete(project, uuid);
      return true;
    });
    if (!done || project !== this._project) {
      return false;
    }
    const index = this._environments.findIndex(env => env.uuid === uuid);
    this._environments = this._environments.filter(env => env.uuid !== uuid);
    this._drafts.drop(uuid);
    this._phases.delete(uuid);
    if (this._selected === uuid) {
      const next =
        this._environments[Math.min(index, this._environments.length - 1)];
      this.select(next?.uuid ?? null);
    }
    this._changed.emit();
    return true;
  }

  /**
   * Build an environment (saving its unsaved edits first) and follow the
   * log. The state then follows the server's build events.
   */
  async build(uuid: string): Promise<boolean> {
    const project = this._project;
    if (project === null || this._actions.get(uuid) !== null) {
      return false;
    }
    if (this.draft(uuid)?.dirty && !(await this.save(uuid))) {
      return false;
    }
    const events = this._buildEvents.get(uuid) ?? 0;
    const env = await this._run(uuid, 'building', () =>
      this._service.build(project, uuid)
    );
    if (!env) {
      return false;
    }
    this._replaceUnlessNewer(env, events);
    if (uuid === this._selected && !this._log?.following) {
      this._followLog(uuid);
    }
    this._changed.emit();
    return true;
  }

  /** Cancel an environment's build; the build in service stays. */
  async cancel(uuid: string): Promise<boolean> {
    const project = this._project;
    if (project === null || this._actions.get(uuid) === 'cancelling') {
      return false;
    }
    const events = this._buildEvents.get(uuid) ?? 0;
    const env = await this._run(uuid, 'cancelling', () =>
      this._service.cancelBuild(project, uuid)
    );
    if (!env) {
      return false;
    }
    this._replaceUnlessNewer(env, events);
    this._changed.emit();
    return true;
  }

  /**
   * A message from the server's event bus: build events of the project
   * update the environments' states, build log events their progress.
   */
  handleEvent(message: unknown): void {
    if (this._project === null) {
      return;
    }
    if (isBuildEvent(message)) {
      if (normalizePath(message.project) !== this._project) {
        return;
      }
      const uuid = message.environment_uuid;
      const env = this.find(uuid);
      if (!env) {
        // Built from elsewhere (the CLI, another tab): show it.
        void this.refresh();
        return;
      }
      this._buildEvents.set(uuid, (this._buildEvents.get(uuid) ?? 0) + 1);
      this._replace(applyBuildEvent(env, message));
      if (message.state === 'queued') {
        this._phases.delete(uuid);
        if (uuid === this._selected) {
          this._followLog(uuid); // a new build: its log starts afresh
        }
      } else if (
        message.state === 'building' &&
        uuid === this._selected &&
        !this._log?.following
      ) {
        this._followLog(uuid);
      }
      this._changed.emit();
    } else if (isBuildLogEvent(message)) {
      if (normalizePath(message.project) !== this._project) {
        return;
      }
      if (this._track(message.environment_uuid, message.text)) {
        this._changed.emit();
      }
    }
  }

  /** Stop following logs. */
  dispose(): void {
    this._stopLog();
    Signal.clearData(this);
  }
  private _edit(uuid: string, edit: { name?: string; script?: string }): void {
    if (!this.find(uuid)) {
      return;
    }
    this._drafts.edit(uuid, edit);
    this._changed.emit();
  }

  /** Run a server call for an environment, recording its error. */
  private _run<T>(
    uuid: string,
    action: EnvironmentAction,
    call: () => Promise<T>
  ): Promise<T | null> {
    return this._actions.run(uuid, action, call, () => !!this.find(uuid));
  }

  /** Take a server's answer, unless build events (newer) came since `events`. */
  private _replaceUnlessNewer(env: IEnvironment, events: number): void {
    if ((this._buildEvents.get(env.uuid) ?? 0) === events) {
      this._replace(env);
    }
  }

  /** Replace an environment with a newer copy (same uuid). */
  private _replace(env: IEnvironment): void {
    if (!this.find(env.uuid)) {
      return;
    }
    this._environments = this._environments
      .map(old => (old.uuid === env.uuid ? env : old))
      .sort(byName);
  }

  /** Follow the latest build log of an environment from its start. */
  private _followLog(uuid: string): void {
    const project = this._project;
    if (project === null) {
      return;
    }
    this._stopLog();
    this._phases.delete(uuid);
    this._log = new BuildLog({
      uuid,
      follow: (onText, signal) =>
        this._service.followLog(project, uuid, onText, { signal }),
      onText: text => this._track(uuid, text),
      onChange: () => this._changed.emit()
    });
    this._changed.emit();
  }

  private _stopLog(): void {
    this._log?.stop();
    this._log = null;
  }

  /** Update an active build's phase from log text; whether it changed. */
  private _track(uuid: string, text: string): boolean {
    const env = this.find(uuid);
    if (!env || !['queued', 'building'].includes(env.build?.state ?? '')) {
      return false;
    }
    const before = this._phases.get(uuid) ?? null;
    const hasScript = (env.setup_script ?? '').trim() !== '';
    const after = buildPhase(text, hasScript, before);
    if (after && after.step !== before?.step) {
      this._phases.set(uuid, after);
      return true;
    }
    return false;
  }

  private _service: EnvironmentsService;
  private _choice: ProjectChoice;
  private _project: string | null = null;
  private _status: PanelStatus = 'idle';
  private _error: string | null = null;
  private _createError: string | null = null;
  private _environments: IEnvironment[] = [];
  private _selected: string | null = null;
  private _drafts = new EnvironmentDrafts();
  private _actions = new PendingActions<EnvironmentAction>(() =>
    this._changed.emit()
  );
  private _phases = new Map<string, IBuildPhase>();
  private _log: BuildLog | null = null;
  private _generation = 0;
  private _buildEvents = new Map<string, number>(); // how many, per environment
  private _changed = new Signal<this, void>(this);
}

export namespace EnvironmentsPanelModel {
  export interface IOptions {
    service: EnvironmentsService;
    listProjects?: ProjectLister;
  }
}

function byName(a: IEnvironment, b: IEnvironment): number {
  return (
    (a.name ?? '').localeCompare(b.name ?? '') || a.uuid.localeCompare(b.uuid)
  );
}
