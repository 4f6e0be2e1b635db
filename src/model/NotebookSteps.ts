/**
 * Which pipeline steps run a given notebook or script: asked of the server
 * once per file and kept until pipelines change.
 */
import { ISignal, Signal } from '@lumino/signaling';

import type { IPipelineWithSteps } from '../api';

/** A step that runs a file, with its pipeline. */
export interface IFileStep {
  pipelinePath: string;
  pipelineName: string;
  uuid: string;
  title: string;
}

/** Asks the server (`api.pipelines.withFile` in the app). */
export type FileStepsLoader = (path: string) => Promise<IPipelineWithSteps[]>;

/** Flatten the server's answer into (pipeline, step) pairs. */
export function fileSteps(
  pipelines: readonly IPipelineWithSteps[]
): IFileStep[] {
  const steps: IFileStep[] = [];
  for (const pipeline of pipelines) {
    for (const step of pipeline.steps ?? []) {
      steps.push({
        pipelinePath: pipeline.path,
        pipelineName: pipeline.name || pipeline.path,
        uuid: step.uuid,
        title: step.title
      });
    }
  }
  return steps;
}

/** The cache of steps per file. */
export class NotebookSteps {
  constructor(loader: FileStepsLoader) {
    this._loader = loader;
  }

  /** Emitted when the steps of some file were (re)loaded or forgotten. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The steps of a file, if known already. */
  peek(path: string): IFileStep[] | undefined {
    return this._known.get(path);
  }

  /** The steps that run a file (relative to the server root). */
  get(path: string): Promise<IFileStep[]> {
    let pending = this._pending.get(path);
    if (!pending) {
      pending = this._loader(path)
        .then(pipelines => {
          const steps = fileSteps(pipelines);
          this._known.set(path, steps);
          this._changed.emit();
          return steps;
        })
        .finally(() => this._pending.delete(path));
      this._pending.set(path, pending);
    }
    return pending;
  }

  /** Forget everything (pipelines changed); known files are asked again. */
  invalidate(): void {
    const paths = [...this._known.keys()];
    this._known.clear();
    this._changed.emit();
    for (const path of paths) {
      this.get(path).catch(() => undefined);
    }
  }

  private _loader: FileStepsLoader;
  private _known = new Map<string, IFileStep[]>();
  private _pending = new Map<string, Promise<IFileStep[]>>();
  private _changed = new Signal<this, void>(this);
}
