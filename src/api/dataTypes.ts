/**
 * What the `pipelines/data*` routes answer: the outputs a pipeline's steps
 * passed, and a bounded preview of one.
 */

/** What an object is, as the step that wrote it saw it. */
export interface IOutputSummary {
  /** DataFrame, Arrow table, Arrow record batch, ndarray or pickled object. */
  type?: string;
  shape?: number[];
  dtype?: string;
  /** Module and name of a pickled object's class. */
  class?: string;
  length?: number;
}

/** One stored output (`GET pipelines/data`). */
export interface IStoredOutput {
  step: string;
  title: string;
  /** null: unnamed. */
  name: string | null;
  transport: 'memory' | 'disk';
  serialization: 'ARROW_TABLE' | 'ARROW_BATCH' | 'PICKLE';
  /** DataFrame, Table, RecordBatch or pickle; null when written by Orchest. */
  type: string | null;
  bytes: number;
  timestamp: string;
  fingerprint: string | null;
  run: string | null;
  /** What get_inputs() reads: the step's newest write. */
  current: boolean;
  up_to_date: boolean;
  /** Absent from servers older than previews. */
  summary?: IOutputSummary | null;
}

/** The outputs of a pipeline and their totals. */
export interface IPipelineData {
  path: string;
  pipeline_uuid: string;
  outputs: IStoredOutput[];
  totals: {
    outputs: number;
    memory_bytes: number;
    disk_bytes: number;
    memory_budget_bytes: number;
  };
}

/** A column of a tabular preview. */
export interface IPreviewColumn {
  name: string;
  dtype: string;
}

/** `GET pipelines/data/preview`: what a step passes on, bounded. */
export interface IDataPreview {
  path: string;
  step: string;
  title: string;
  name: string | null;
  type: string;
  serialization: string;
  transport: 'memory' | 'disk';
  bytes: number;
  timestamp: string;
  up_to_date: boolean;
  summary: IOutputSummary | null;
  rows_asked: number;
  kind: 'table' | 'array' | 'object' | 'error';
  /** table: [rows, columns]; array: its shape. */
  shape?: number[];
  columns?: IPreviewColumn[];
  columns_shown?: number;
  index?: string[] | null;
  rows?: string[][];
  dtype?: string;
  slice?: string;
  rows_shown?: number;
  repr?: string;
  error?: string;
}
