/**
 * The projects a panel can show: those a lister finds (folders with
 * pipelines) plus any added (the current editor's), sorted, '' for the root.
 */
import { normalizePath } from './paths';

/** Lists the projects to choose from (folders, '' for the root). */
export type ProjectLister = () => Promise<string[]>;

/** The projects to choose from. */
export class ProjectChoice {
  /** @param onChange called when the list changes. */
  constructor(
    private readonly _lister: ProjectLister | null,
    private readonly _onChange: () => void
  ) {}

  get projects(): readonly string[] {
    return this._projects;
  }

  /** List the projects again (those added stay); rejects when listing fails. */
  async load(): Promise<void> {
    if (this._lister) {
      this.add(await this._lister());
    }
  }

  /** Add projects to the choice. */
  add(projects: readonly string[]): void {
    const all = new Set(this._projects);
    for (const project of projects) {
      all.add(normalizePath(project));
    }
    const sorted = [...all].sort((a, b) => a.localeCompare(b));
    if (sorted.join('\n') !== this._projects.join('\n')) {
      this._projects = sorted;
      this._onChange();
    }
  }

  private _projects: string[] = [];
}
