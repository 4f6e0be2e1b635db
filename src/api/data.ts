/**
 * The `pipelines/data*` routes: the outputs a pipeline's steps passed, and
 * a bounded preview of one.
 */
import type { APIConnection } from './client';
import type { IDataPreview, IPipelineData } from './dataTypes';
import type { IDataAPI } from './interfaces';

/** The `pipelines/data*` routes. */
export class DataAPI implements IDataAPI {
  constructor(private readonly _api: APIConnection) {}

  /** Every stored output of the pipeline file `path`. */
  outputs(path: string): Promise<IPipelineData> {
    return this._api.request<IPipelineData>('pipelines/data', {
      query: { path }
    });
  }

  /** A preview of the output `step` passes on (its first `rows` rows). */
  preview(path: string, step: string, rows?: number): Promise<IDataPreview> {
    return this._api.request<IDataPreview>('pipelines/data/preview', {
      query: { path, step, rows }
    });
  }
}
