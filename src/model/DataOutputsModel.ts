/**
 * What each step of a pipeline passed on, for the labels of its outgoing
 * connections: the stored output get_inputs() reads (name, type, shape, size,
 * transport, up to date or not). Refreshed when a run of the pipeline
 * finishes a step, so that labels follow runs live.
 */
import { ISignal, Signal } from '@lumino/signaling';

import type { IPipelineData, IStoredOutput } from '../api/dataTypes';
import type { IRunState } from './runState';

/** The label of a step's output. */
export interface IOutputLabel {
  step: string;
  /** One line: "weather · DataFrame 30×3 · 1.2 kB · memory". */
  text: string;
  /** The same on two lines: what it is; its size and where it is. */
  lines: [string, string];
  /** The output is not what the step would output now. */
  stale: boolean;
  /** The longer description (a tooltip). */
  description: string;
}

/** The routes the model reads (`OrchestLabAPI.data` in the app). */
export interface IDataOutputsSource {
  outputs(path: string): Promise<IPipelineData>;
}

// Names of the types of outputs written before summaries were recorded.
const TYPE_NAMES: Record<string, string> = {
  DataFrame: 'DataFrame',
  Table: 'Arrow table',
  RecordBatch: 'Arrow record batch',
  pickle: 'pickled object'
};

/** "1.2 MB": decimal units, as the server's messages have them. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) {
    return `${bytes} B`;
  }
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 'B';
  for (const next of units) {
    if (value < 1000) {
      break;
    }
    value /= 1000;
    unit = next;
  }
  return `${value.toFixed(1)} ${unit}`;
}

/** The type an output is shown as. */
export function outputType(output: IStoredOutput): string {
  const summarized = output.summary?.type;
  if (summarized) {
    return summarized;
  }
  if (output.type) {
    return TYPE_NAMES[output.type] ?? output.type;
  }
  return output.serialization === 'PICKLE' ? 'pickled object' : 'Arrow table';
}

/** "30×3", "len 4", or '' when the shape is not known. */
export function outputShape(output: IStoredOutput): string {
  const summary = output.summary;
  if (summary?.shape) {
    return summary.shape.length === 0 ? 'scalar' : summary.shape.join('×');
  }
  if (typeof summary?.length === 'number') {
    return `len ${summary.length}`;
  }
  return '';
}

/** The label of one output. */
export function describeOutput(output: IStoredOutput): IOutputLabel {
  const name = output.name ?? 'unnamed';
  const type = outputType(output);
  const shape = outputShape(output);
  const size = formatBytes(output.bytes);
  const stale = !output.up_to_date;
  const where = [size, output.transport, ...(stale ? ['stale'] : [])];
  const lines: [string, string] = [
    `${name} · ${shape ? `${type} ${shape}` : type}`,
    where.join(' · ')
  ];
  const kind = output.summary?.class ? ` (${output.summary.class})` : '';
  const dtype = output.summary?.dtype ? `, ${output.summary.dtype}` : '';
  const description =
    `'${output.title}' passes ${name}: ${type}${kind}${shape ? ` ${shape}` : ''}` +
    `${dtype}, ${size} in ${output.transport}` +
    (stale ? '. Not up to date: the step changed since it wrote it.' : '.') +
    ' Click to preview.';
  return {
    step: output.step,
    text: lines.join(' · '),
    lines,
    stale,
    description
  };
}

/** The outputs of one pipeline, by step. */
export class DataOutputsModel {
  constructor(options: DataOutputsModel.IOptions) {
    this._source = options.source;
    this._path = options.path;
  }

  /** Emitted when the labels changed. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The label of each step with a stored output, by step uuid. */
  get labels(): ReadonlyMap<string, IOutputLabel> {
    return this._labels;
  }

  /**
   * Read the outputs again. A call while a read is under way queues one
   * more read after it (calls meanwhile share it); failures leave the labels
   * as they were.
   */
  refresh(): Promise<void> {
    if (this._queued) {
      return this._queued;
    }
    if (this._loading) {
      this._queued = this._loading.then(() => {
        this._queued = null;
        return this._start();
      });
      return this._queued;
    }
    return this._start();
  }

  /**
   * Take a run's new state: refresh when a step of it finished since last
   * seen (a finished step may have written or replaced an output).
   */
  noteRun(run: IRunState): void {
    let finished = false;
    for (const step of Object.values(run.steps)) {
      const key = `${run.id}/${step.uuid}`;
      if (step.status === 'SUCCESS' && !this._seen.has(key)) {
        this._seen.add(key);
        finished = true;
      }
    }
    if (finished) {
      void this.refresh();
    }
  }

  private _start(): Promise<void> {
    const loading = this._load().finally(() => {
      if (this._loading === loading) {
        this._loading = null;
      }
    });
    this._loading = loading;
    return loading;
  }

  private async _load(): Promise<void> {
    let data: IPipelineData;
    try {
      data = await this._source.outputs(this._path());
    } catch (reason) {
      console.warn('orchest-lab: could not read the pipeline data', reason);
      return;
    }
    const labels = new Map<string, IOutputLabel>();
    for (const output of data.outputs) {
      if (output.current) {
        labels.set(output.step, describeOutput(output));
      }
    }
    if (!sameLabels(labels, this._labels)) {
      this._labels = labels;
      this._changed.emit();
    }
  }

  private _source: IDataOutputsSource;
  private _path: () => string;
  private _labels: ReadonlyMap<string, IOutputLabel> = new Map();
  private _seen = new Set<string>();
  private _loading: Promise<void> | null = null;
  private _queued: Promise<void> | null = null;
  private _changed = new Signal<this, void>(this);
}

function sameLabels(
  a: ReadonlyMap<string, IOutputLabel>,
  b: ReadonlyMap<string, IOutputLabel>
): boolean {
  if (a.size !== b.size) {
    return false;
  }
  for (const [step, label] of a) {
    const other = b.get(step);
    if (
      !other ||
      other.text !== label.text ||
      other.description !== label.description
    ) {
      return false;
    }
  }
  return true;
}

export namespace DataOutputsModel {
  export interface IOptions {
    source: IDataOutputsSource;
    /** The pipeline file (it may be renamed while open). */
    path: () => string;
  }
}
