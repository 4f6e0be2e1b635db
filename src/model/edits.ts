/**
 * Editing operations on a pipeline file's JSON. Each takes a pipeline and
 * returns a changed copy (the argument is never modified); unknown fields and
 * the order of existing keys are kept, new keys are added at the end.
 */
import {
  IKernelJSON,
  IPipelineJSON,
  IStepJSON,
  Position,
  isJSONObject
} from './pipeline';
import { stem } from './paths';
import { errorMessage } from './errorMessage';
import { IResourcesJSON } from './execution';

/** The kernel new steps get (Orchest's default). */
export const DEFAULT_KERNEL: IKernelJSON = {
  display_name: 'Python 3',
  name: 'python'
};

/** File types a step can run, with their dots. */
export const STEP_FILE_EXTENSIONS = [
  '.ipynb',
  '.py',
  '.r',
  '.sh',
  '.jl',
  '.js'
];

/** Whether a file can be a step (by its extension). */
export function isStepFile(path: string): boolean {
  const lower = path.toLowerCase();
  return STEP_FILE_EXTENSIONS.some(extension => lower.endsWith(extension));
}

/** A deep copy of a JSON value. */
export function cloneJSON<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Positions as stored in the file: whole pixels. */
export function roundPosition(position: Position): Position {
  return [Math.round(position[0]), Math.round(position[1])];
}

/** What a new step is made of. */
export interface INewStep {
  uuid: string;
  /** Defaults to the file's name without its extension. */
  title?: string;
  /** Relative to the pipeline file's folder. */
  filePath: string;
  position: Position;
  environment?: string;
}

/**
 * A new step, its keys in the order Orchest writes them (alphabetical), so
 * files edited here and by Orchest diff cleanly.
 */
export function createStep(options: INewStep): IStepJSON {
  return {
    environment: options.environment ?? '',
    file_path: options.filePath,
    incoming_connections: [],
    kernel: { ...DEFAULT_KERNEL },
    meta_data: { hidden: false, position: roundPosition(options.position) },
    parameters: {},
    title: options.title ?? (stem(options.filePath) || 'Untitled step'),
    uuid: options.uuid
  };
}

/** The steps object of a pipeline copy (created when missing). */
function stepsOf(pipeline: IPipelineJSON): Record<string, IStepJSON> {
  if (!isJSONObject(pipeline.steps)) {
    pipeline.steps = {};
  }
  return pipeline.steps;
}

/** The parents of a step copy (created when missing or not a list). */
function incomingOf(step: IStepJSON): string[] {
  if (!Array.isArray(step.incoming_connections)) {
    step.incoming_connections = [];
  }
  return step.incoming_connections;
}

/** Add steps (after the existing ones). */
export function addSteps(
  pipeline: IPipelineJSON,
  steps: readonly IStepJSON[]
): IPipelineJSON {
  const copy = cloneJSON(pipeline);
  const all = stepsOf(copy);
  for (const step of steps) {
    all[step.uuid] = cloneJSON(step);
  }
  return copy;
}

/** Remove steps and every connection to or from them. */
export function removeSteps(
  pipeline: IPipelineJSON,
  uuids: Iterable<string>
): IPipelineJSON {
  const removed = new Set(uuids);
  const copy = cloneJSON(pipeline);
  const all = stepsOf(copy);
  for (const uuid of removed) {
    delete all[uuid];
  }
  for (const step of Object.values(all)) {
    if (isJSONObject(step) && Array.isArray(step.incoming_connections)) {
      step.incoming_connections = step.incoming_connections.filter(
        parent => !removed.has(parent)
      );
    }
  }
  return copy;
}

/** Connect `source` (the parent) to `target` (the child). */
export function addConnection(
  pipeline: IPipelineJSON,
  source: string,
  target: string
): IPipelineJSON {
  const copy = cloneJSON(pipeline);
  const step = stepsOf(copy)[target];
  if (!isJSONObject(step)) {
    throw new Error(`There is no step '${target}' to connect to`);
  }
  const incoming = incomingOf(step);
  if (!incoming.includes(source)) {
    incoming.push(source);
  }
  return copy;
}

/** Remove connections (every occurrence of each parent -> child pair). */
export function removeConnections(
  pipeline: IPipelineJSON,
  connections: readonly { source: string; target: string }[]
): IPipelineJSON {
  const copy = cloneJSON(pipeline);
  const all = stepsOf(copy);
  for (const { source, target } of connections) {
    const step = all[target];
    if (isJSONObject(step) && Array.isArray(step.incoming_connections)) {
      step.incoming_connections = step.incoming_connections.filter(
        parent => parent !== source
      );
    }
  }
  return copy;
}

/** Store positions (`meta_data.position`, rounded to whole pixels). */
export function moveSteps(
  pipeline: IPipelineJSON,
  positions: ReadonlyMap<string, Position>
): IPipelineJSON {
  const copy = cloneJSON(pipeline);
  const all = stepsOf(copy);
  for (const [uuid, position] of positions) {
    const step = all[uuid];
    if (!isJSONObject(step)) {
      continue;
    }
    if (!isJSONObject(step.meta_data)) {
      step.meta_data = { hidden: false };
    }
    step.meta_data.position = roundPosition(position);
  }
  return copy;
}

/** The fields of a step the properties panel edits. */
export interface IStepPatch {
  title?: string;
  file_path?: string;
  environment?: string;
  parameters?: Record<string, unknown>;
  /** Seconds the step may run on Kubernetes; null removes it. */
  timeout?: number | null;
  /** Its requests and limits on Kubernetes; null removes them. */
  resources?: IResourcesJSON | null;
}

/** Change fields of a step (a null value removes the field). */
export function updateStep(
  pipeline: IPipelineJSON,
  uuid: string,
  patch: IStepPatch
): IPipelineJSON {
  const copy = cloneJSON(pipeline);
  const step = stepsOf(copy)[uuid];
  if (!isJSONObject(step)) {
    throw new Error(`There is no step '${uuid}'`);
  }
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete (step as Record<string, unknown>)[key];
    } else if (value !== undefined) {
      (step as Record<string, unknown>)[key] = cloneJSON(value);
    }
  }
  return copy;
}

/** The pipeline-level fields the properties panel edits. */
export interface IPipelinePatch {
  name?: string;
  parameters?: Record<string, unknown>;
  /** Merged into the existing settings (a null value removes the setting). */
  settings?: Record<string, unknown>;
  /** Environment variables of every step (a top-level `env_variables`). */
  env_variables?: Record<string, string>;
}

/** Change pipeline-level fields. */
export function updatePipeline(
  pipeline: IPipelineJSON,
  patch: IPipelinePatch
): IPipelineJSON {
  const copy = cloneJSON(pipeline);
  if (patch.name !== undefined) {
    copy.name = patch.name;
  }
  if (patch.parameters !== undefined) {
    copy.parameters = cloneJSON(patch.parameters);
  }
  if (patch.settings !== undefined) {
    const settings: Record<string, unknown> = {
      ...(isJSONObject(copy.settings) ? copy.settings : {}),
      ...cloneJSON(patch.settings)
    };
    for (const [key, value] of Object.entries(patch.settings)) {
      if (value === null) {
        delete settings[key];
      }
    }
    copy.settings = settings as IPipelineJSON['settings'];
  }
  if (patch.env_variables !== undefined) {
    copy.env_variables = cloneJSON(patch.env_variables);
  }
  return copy;
}

/** The text of a JSON object field, or why it is not one. */
export type ParsedObject =
  { ok: true; value: Record<string, unknown> } | { ok: false; error: string };

/**
 * Parse the text of a JSON editor that must hold an object (parameters):
 * empty text is `{}`.
 */
export function parseJSONObject(text: string): ParsedObject {
  if (!text.trim()) {
    return { ok: true, value: {} };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (reason) {
    const detail = errorMessage(reason);
    return { ok: false, error: `Not valid JSON: ${detail}` };
  }
  if (!isJSONObject(value)) {
    return {
      ok: false,
      error: 'Parameters must be a JSON object, like {"rows": 100}'
    };
  }
  return { ok: true, value };
}

/** Checks environment variable names: letters, digits and `_`, not first a digit. */
export function envVariableProblem(name: string): string | null {
  if (!name) {
    return 'A variable needs a name';
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    return `'${name}' is not a valid variable name (letters, digits and _, not starting with a digit)`;
  }
  return null;
}
