/**
 * Copy and paste of steps: what is copied (the steps' JSON and the
 * connections among them) and how it is pasted into a pipeline (new uuids,
 * connections remapped, positions shifted).
 */
import { cloneJSON } from './edits';
import { IPipelineJSON, IStepJSON, Position, isJSONObject } from './pipeline';

/** The MIME type of copied steps on JupyterLab's clipboard. */
export const STEPS_MIME = 'application/vnd.orchest-lab.steps+json';

/** Copied steps. */
export interface IStepsClipboard {
  /** The pipeline they were copied from (its uuid). */
  pipeline: string;
  /** The steps, as in the file. */
  steps: IStepJSON[];
}

/** Copy the given steps of a pipeline (in file order). */
export function copySteps(
  pipeline: IPipelineJSON,
  uuids: Iterable<string>
): IStepsClipboard {
  const wanted = new Set(uuids);
  const steps = Object.entries(pipeline.steps ?? {})
    .filter(([uuid, step]) => wanted.has(uuid) && isJSONObject(step))
    .map(([, step]) => cloneJSON(step));
  return { pipeline: String(pipeline.uuid ?? ''), steps };
}

/** Options of {@link pasteSteps}. */
export interface IPasteOptions {
  /** Makes the new steps' uuids. */
  newUUID: () => string;
  /** Added to every pasted position. */
  offset: Position;
}

/** What {@link pasteSteps} made. */
export interface IPasteResult {
  pipeline: IPipelineJSON;
  /** The uuids of the new steps, in the clipboard's order. */
  pasted: string[];
}

/**
 * Paste copied steps as new steps: each gets a new uuid; connections between
 * copied steps follow the copies; connections to steps outside the copy are
 * kept when that step exists in the pipeline pasted into, dropped otherwise.
 */
export function pasteSteps(
  pipeline: IPipelineJSON,
  clipboard: IStepsClipboard,
  options: IPasteOptions
): IPasteResult {
  const copy = cloneJSON(pipeline);
  if (!isJSONObject(copy.steps)) {
    copy.steps = {};
  }
  const renamed = new Map<string, string>();
  for (const step of clipboard.steps) {
    renamed.set(step.uuid, options.newUUID());
  }
  const existing = new Set(Object.keys(copy.steps));
  const pasted: string[] = [];
  for (const original of clipboard.steps) {
    const step = cloneJSON(original);
    const uuid = renamed.get(original.uuid)!;
    step.uuid = uuid;
    const parents = Array.isArray(step.incoming_connections)
      ? step.incoming_connections
      : [];
    step.incoming_connections = parents
      .map(
        parent => renamed.get(parent) ?? (existing.has(parent) ? parent : null)
      )
      .filter((parent): parent is string => parent !== null);
    const meta = isJSONObject(step.meta_data) ? step.meta_data : {};
    const position = Array.isArray(meta.position) ? meta.position : [0, 0];
    meta.position = [
      Math.round(Number(position[0]) + options.offset[0]),
      Math.round(Number(position[1]) + options.offset[1])
    ];
    step.meta_data = meta;
    copy.steps[uuid] = step;
    pasted.push(uuid);
  }
  return { pipeline: copy, pasted };
}

/** Read copied steps back from clipboard data; null if it is not that. */
export function readClipboard(data: unknown): IStepsClipboard | null {
  if (
    !isJSONObject(data) ||
    !Array.isArray(data.steps) ||
    !data.steps.every(
      step => isJSONObject(step) && typeof step.uuid === 'string'
    )
  ) {
    return null;
  }
  return {
    pipeline: typeof data.pipeline === 'string' ? data.pipeline : '',
    steps: data.steps as IStepJSON[]
  };
}
