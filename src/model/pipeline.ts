/**
 * Types of the Orchest pipeline file format (version 1.0.0) and helpers to
 * create and serialize pipelines.
 *
 * Every interface allows extra keys: Orchest and other tools add fields we do
 * not know about, and they must survive a load/save round trip.
 */

import { UUID } from '@lumino/coreutils';

/** The format version this extension reads and writes. */
export const PIPELINE_FORMAT_VERSION = '1.0.0';

/** The file extension of pipeline files, with its dot. */
export const PIPELINE_FILE_EXTENSION = '.orchest';

/** Indentation used when a pipeline is written back to its file. */
export const PIPELINE_INDENT = 4;

/** A position on the canvas, `[x, y]` of the node's top-left corner. */
export type Position = [number, number];

/** The kernel a step runs with. */
export interface IKernelJSON {
  name: string;
  display_name: string;
  [key: string]: unknown;
}

/** Free-form data the editor keeps per step. */
export interface IStepMetaDataJSON {
  hidden?: boolean;
  position?: Position;
  [key: string]: unknown;
}

/** A step as stored in `steps[<uuid>]`. */
export interface IStepJSON {
  uuid: string;
  title: string;
  file_path: string;
  incoming_connections: string[];
  environment: string;
  kernel: IKernelJSON;
  parameters: Record<string, unknown>;
  meta_data: IStepMetaDataJSON;
  [key: string]: unknown;
}

/** The `settings` block of a pipeline. */
export interface IPipelineSettingsJSON {
  auto_eviction: boolean;
  data_passing_memory_size: string;
  max_steps_parallelism: number;
  [key: string]: unknown;
}

/** A whole pipeline file. */
export interface IPipelineJSON {
  name: string;
  uuid: string;
  version: string;
  parameters: Record<string, unknown>;
  settings: IPipelineSettingsJSON;
  steps: Record<string, IStepJSON>;
  [key: string]: unknown;
}

/** The settings a new pipeline starts with (Orchest's defaults). */
export function defaultSettings(): IPipelineSettingsJSON {
  return {
    auto_eviction: false,
    data_passing_memory_size: '1GB',
    max_steps_parallelism: 0
  };
}

/**
 * Create the content of a new, empty pipeline.
 *
 * Key order follows what Orchest writes, so a file created here and one
 * created by Orchest diff cleanly.
 */
export function createPipeline(options: {
  name: string;
  uuid: string;
}): IPipelineJSON {
  return {
    name: options.name,
    parameters: {},
    settings: defaultSettings(),
    steps: {},
    uuid: options.uuid,
    version: PIPELINE_FORMAT_VERSION
  };
}

/**
 * Serialize a pipeline (or any JSON value) the way pipeline files are
 * written: 4-space indentation, keys in their existing order, and a final
 * newline.
 */
export function serializePipeline(pipeline: unknown): string {
  return JSON.stringify(pipeline, null, PIPELINE_INDENT) + '\n';
}

/**
 * The pipeline name to use for a file: its base name without the extension,
 * e.g. `data/untitled1.orchest` -> `untitled1`.
 */
export function pipelineNameFromPath(path: string): string {
  const base = path.split('/').pop() ?? path;
  return base.endsWith(PIPELINE_FILE_EXTENSION)
    ? base.slice(0, -PIPELINE_FILE_EXTENSION.length)
    : base;
}

/** Whether a value is a plain JSON object (not an array, not null). */
export function isJSONObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A fresh random (version 4) UUID. Uses `crypto.randomUUID` where the page is
 * a secure context; JupyterLab served over plain HTTP on a remote host is not,
 * so there Lumino's generator (backed by `crypto.getRandomValues`) is used.
 */
export function newUUID(): string {
  const webCrypto = (globalThis as { crypto?: { randomUUID?: () => string } })
    .crypto;
  if (webCrypto && typeof webCrypto.randomUUID === 'function') {
    return webCrypto.randomUUID();
  }
  return UUID.uuid4();
}

/** The text of a new, empty pipeline file at `path`. */
export function newPipelineContent(
  path: string,
  uuid: string = newUUID()
): string {
  return serializePipeline(
    createPipeline({ name: pipelineNameFromPath(path), uuid })
  );
}

/**
 * Whether a pipeline's name was never set: it is still the name its file
 * gave it (see {@link pipelineNameFromPath}), or empty.
 */
export function hasDefaultName(pipeline: unknown, path: string): boolean {
  if (!isJSONObject(pipeline)) {
    return false;
  }
  const name = pipeline.name;
  return (
    name === undefined || name === '' || name === pipelineNameFromPath(path)
  );
}

/**
 * The text of a pipeline file renamed from `oldPath` to `newPath` whose name
 * follows the file (it was never set), or null when it keeps its text (a
 * name of its own, or not a valid pipeline).
 */
export function renamedPipelineText(
  text: string,
  oldPath: string,
  newPath: string
): string | null {
  let pipeline: unknown;
  try {
    pipeline = JSON.parse(text);
  } catch {
    return null;
  }
  const name = pipelineNameFromPath(newPath);
  if (
    !isJSONObject(pipeline) ||
    !hasDefaultName(pipeline, oldPath) ||
    pipeline.name === name
  ) {
    return null;
  }
  return serializePipeline({ ...pipeline, name });
}
