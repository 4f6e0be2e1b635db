/**
 * Unsaved edits of environments' names and setup scripts, by uuid: what the
 * editor shows is the server's definition with these edits on top.
 */
import type { IEnvironment } from '../api';

/** The environment's definition as the editor shows it. */
export interface IDraft {
  name: string;
  script: string;
  /** Whether it differs from what the server has. */
  dirty: boolean;
}

interface IEdits {
  name?: string;
  script?: string;
}

/** The unsaved edits of a project's environments. */
export class EnvironmentDrafts {
  /** The definition with its unsaved edits (null for a broken one). */
  draft(env: IEnvironment | undefined): IDraft | null {
    if (!env || env.error) {
      return null;
    }
    const edits = this._edits.get(env.uuid) ?? {};
    const saved = env.setup_script ?? '';
    const name = edits.name ?? env.name;
    const script = edits.script ?? saved;
    return { name, script, dirty: name !== env.name || script !== saved };
  }

  /** Record an edit. */
  edit(uuid: string, edit: IEdits): void {
    this._edits.set(uuid, { ...this._edits.get(uuid), ...edit });
  }

  /**
   * What was sent was saved: edits equal to it are dropped, those made while
   * saving stay.
   */
  saved(uuid: string, sent: { name: string; script: string }): void {
    const edits = this._edits.get(uuid);
    if (!edits) {
      return;
    }
    if (edits.name === sent.name) {
      delete edits.name;
    }
    if (edits.script === sent.script) {
      delete edits.script;
    }
    if (edits.name === undefined && edits.script === undefined) {
      this._edits.delete(uuid);
    }
  }

  /** Drop an environment's edits. */
  drop(uuid: string): void {
    this._edits.delete(uuid);
  }

  /** Keep only the edits of environments `exists` accepts. */
  retain(exists: (uuid: string) => boolean): void {
    for (const uuid of [...this._edits.keys()]) {
      if (!exists(uuid)) {
        this._edits.delete(uuid);
      }
    }
  }

  /** Drop every edit. */
  clear(): void {
    this._edits.clear();
  }

  private _edits = new Map<string, IEdits>();
}
