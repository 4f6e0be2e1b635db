/**
 * The `pipelines/*` routes.
 */
import type { APIConnection } from './client';
import type { IPipelinesAPI } from './interfaces';
import type {
  IElyraConversion,
  IExecutionPlan,
  IPipelineSource,
  IPipelineSummary,
  IPipelineWithSteps,
  IPlanRequest,
  IValidationResult
} from './types';

/** The `pipelines/*` routes. */
export class PipelinesAPI implements IPipelinesAPI {
  constructor(private readonly _api: APIConnection) {}

  /** Every pipeline file under the server root. */
  async list(): Promise<IPipelineSummary[]> {
    const data = await this._api.request<{ pipelines: IPipelineSummary[] }>(
      'pipelines'
    );
    return data.pipelines;
  }

  /**
   * The pipelines with steps that run `file` (a notebook or script path,
   * relative to the server root), each with those steps.
   */
  async withFile(file: string): Promise<IPipelineWithSteps[]> {
    const data = await this._api.request<{ pipelines: IPipelineWithSteps[] }>(
      'pipelines',
      { query: { file } }
    );
    return data.pipelines.map(pipeline => ({
      ...pipeline,
      steps: Array.isArray(pipeline.steps) ? pipeline.steps : []
    }));
  }

  /** Validate a pipeline (see {@link IPipelineSource}). */
  validate(
    source: IPipelineSource,
    signal?: AbortSignal
  ): Promise<IValidationResult> {
    return this._api.request<IValidationResult>('pipelines/validate', {
      method: 'POST',
      body: source,
      signal
    });
  }

  /**
   * The steps a run of the given mode would execute, in order.
   *
   * @throws {APIError} with `issues` when the pipeline cannot be planned.
   */
  plan(request: IPlanRequest): Promise<IExecutionPlan> {
    return this._api.request<IExecutionPlan>('pipelines/plan', {
      method: 'POST',
      body: request
    });
  }

  /** Import an Elyra pipeline into a new `.orchest` file beside it. */
  importElyra(path: string): Promise<IElyraConversion> {
    return this._api.request<IElyraConversion>('pipelines/import-elyra', {
      method: 'POST',
      body: { path }
    });
  }

  /** Export a pipeline into a new Elyra pipeline beside it. */
  exportElyra(path: string): Promise<IElyraConversion> {
    return this._api.request<IElyraConversion>('pipelines/export-elyra', {
      method: 'POST',
      body: { path }
    });
  }
}
