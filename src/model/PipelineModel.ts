/**
 * The in-memory model of one pipeline file.
 *
 * The model parses the text of a `.orchest` file into a typed view (steps and
 * edges) while keeping the parsed object itself, so fields this extension does
 * not know survive a round trip, in their original key order. Invalid text
 * never throws: the model records the parse error and keeps the last pipeline
 * that parsed.
 */
import { INote, readNotes } from './notes';
import { ISignal, Signal } from '@lumino/signaling';

import { IJSONParseError, parseJSON } from './jsonError';
import {
  IPipelineJSON,
  IStepJSON,
  Position,
  isJSONObject,
  serializePipeline
} from './pipeline';

/** A step as the editor sees it: normalized, with defaults filled in. */
export interface IStep {
  /** The key of the step in `steps` (the graph's node id). */
  readonly uuid: string;
  /** The title, or a placeholder when the file has none. */
  readonly title: string;
  /** `file_path`, relative to the pipeline file's folder ('' when missing). */
  readonly filePath: string;
  /** Parent uuids from `incoming_connections`, in file order. */
  readonly incoming: readonly string[];
  /** The environment uuid ('' when none). */
  readonly environment: string;
  /** `meta_data.position`, or null when the step has no valid position. */
  readonly position: Position | null;
  /** The step object exactly as parsed from the file. */
  readonly json: Readonly<IStepJSON>;
}

/** A connection from a parent step to a child step. */
export interface IEdge {
  /** Stable id: `<source>-><target>`. */
  readonly id: string;
  /** The parent step's uuid. */
  readonly source: string;
  /** The child step's uuid. */
  readonly target: string;
  /** Index of the parent in the child's `incoming_connections`. */
  readonly index: number;
}

/** Placeholder title of a step without one. */
export const UNTITLED_STEP = 'Untitled step';

/** The id of the edge from `source` to `target`. */
export function edgeId(source: string, target: string): string {
  return `${source}->${target}`;
}

/**
 * The steps of a parsed pipeline, in file order. Tolerates any shape: what
 * is not a valid step is read with defaults (validation reports it).
 */
export function readSteps(pipeline: unknown): IStep[] {
  if (!isJSONObject(pipeline) || !isJSONObject(pipeline.steps)) {
    return [];
  }
  return Object.entries(pipeline.steps).map(([key, value]) => {
    const json = (isJSONObject(value) ? value : {}) as IStepJSON;
    const title =
      typeof json.title === 'string' && json.title.trim()
        ? json.title
        : UNTITLED_STEP;
    const incoming = Array.isArray(json.incoming_connections)
      ? json.incoming_connections.filter(
          (p): p is string => typeof p === 'string'
        )
      : [];
    return {
      uuid: key,
      title,
      filePath: typeof json.file_path === 'string' ? json.file_path : '',
      incoming,
      environment: typeof json.environment === 'string' ? json.environment : '',
      position: readPosition(json.meta_data),
      json
    };
  });
}

/**
 * The edges of a pipeline: one per (parent, child) pair. Connections to steps
 * that do not exist and repeated connections are left out of the graph.
 */
export function readEdges(steps: readonly IStep[]): IEdge[] {
  const known = new Set(steps.map(step => step.uuid));
  const edges: IEdge[] = [];
  const seen = new Set<string>();
  for (const step of steps) {
    step.incoming.forEach((parent, index) => {
      const id = edgeId(parent, step.uuid);
      if (known.has(parent) && !seen.has(id)) {
        seen.add(id);
        edges.push({ id, source: parent, target: step.uuid, index });
      }
    });
  }
  return edges;
}

function readPosition(metaData: unknown): Position | null {
  if (!isJSONObject(metaData)) {
    return null;
  }
  const position = metaData.position;
  if (
    Array.isArray(position) &&
    position.length === 2 &&
    position.every(n => typeof n === 'number' && Number.isFinite(n))
  ) {
    return [position[0], position[1]];
  }
  return null;
}

/** The model of a pipeline file. */
export class PipelineModel {
  /** Emitted when the parsed pipeline or the parse error changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /**
   * The last pipeline that parsed, exactly as parsed (unknown fields
   * included), or null if no text parsed yet. It is not guaranteed to follow
   * the schema: the server's validation says whether it does.
   */
  get pipeline(): Readonly<IPipelineJSON> | null {
    return this._pipeline;
  }

  /** Why the current text is not valid JSON, or null if it is. */
  get parseError(): IJSONParseError | null {
    return this._parseError;
  }

  /** Whether the model shows an older pipeline than the current text. */
  get isStale(): boolean {
    return this._parseError !== null && this._pipeline !== null;
  }

  /** The pipeline's name ('' when unknown). */
  get name(): string {
    const name = this._pipeline?.name;
    return typeof name === 'string' ? name : '';
  }

  /** The steps, in file order. */
  get steps(): readonly IStep[] {
    return this._steps;
  }

  /** The connections between steps. */
  get edges(): readonly IEdge[] {
    return this._edges;
  }

  /** The notes on the canvas, in file order. */
  get notes(): readonly INote[] {
    return this._notes;
  }

  /** The text last given to {@link fromString}. */
  get text(): string {
    return this._text;
  }

  /** A step by uuid. */
  getStep(uuid: string): IStep | undefined {
    return this._stepsByUUID.get(uuid);
  }

  /**
   * Load the text of a pipeline file. Returns whether it parsed. When it
   * does not, the previous pipeline stays and {@link parseError} says why.
   */
  fromString(text: string): boolean {
    if (
      text === this._text &&
      (this._pipeline !== null || this._parseError !== null)
    ) {
      return this._parseError === null;
    }
    this._text = text;
    const result = parseJSON(text);
    if (!result.ok) {
      this._parseError = result.error;
    } else if (!isJSONObject(result.value)) {
      this._parseError = {
        message: 'A pipeline file must contain a JSON object',
        offset: 0,
        line: 1,
        column: 1
      };
    } else {
      this._parseError = null;
      this._setPipeline(result.value as IPipelineJSON);
    }
    this._changed.emit();
    return this._parseError === null;
  }

  /**
   * The pipeline as file text: 4-space indentation, keys in their original
   * order, unknown fields kept. Empty when nothing parsed yet.
   */
  toString(): string {
    return this._pipeline === null ? '' : serializePipeline(this._pipeline);
  }

  private _setPipeline(pipeline: IPipelineJSON): void {
    this._pipeline = pipeline;
    this._steps = readSteps(pipeline);
    this._edges = readEdges(this._steps);
    this._stepsByUUID = new Map(this._steps.map(step => [step.uuid, step]));
    // A new list only when the notes changed, so the canvas redraws less.
    const notes = readNotes(pipeline);
    if (JSON.stringify(notes) !== JSON.stringify(this._notes)) {
      this._notes = notes;
    }
  }

  private _text = '';
  private _pipeline: IPipelineJSON | null = null;
  private _parseError: IJSONParseError | null = null;
  private _steps: IStep[] = [];
  private _edges: IEdge[] = [];
  private _notes: INote[] = [];
  private _stepsByUUID = new Map<string, IStep>();
  private _changed = new Signal<this, void>(this);
}
