/**
 * Typed client of the orchest-lab REST API (`<base_url>/orchest-lab/api/...`).
 *
 * Each group of routes hangs off {@link OrchestLabAPI} (`api.pipelines`,
 * `api.runs`, `api.environments`, `api.jobs`); they all go through
 * {@link APIConnection.request}.
 */
import { ServerConnection } from '@jupyterlab/services';

import { APIConnection } from './client';
import { DataAPI } from './data';
import { EnvironmentsAPI } from './environments';
import { JobsAPI } from './jobs';
import { PipelinesAPI } from './pipelines';
import { RunsAPI } from './runs';
import type { IOrchestLabAPI } from '../tokens';

export * from './client';
export * from './data';
export * from './dataTypes';
export * from './environments';
export * from './interfaces';
export * from './jobs';
export * from './jobTypes';
export * from './pipelines';
export * from './runs';
export * from './types';

/** The REST API client. */
export class OrchestLabAPI extends APIConnection implements IOrchestLabAPI {
  constructor(options: { serverSettings?: ServerConnection.ISettings } = {}) {
    super(options);
    this.pipelines = new PipelinesAPI(this);
    this.runs = new RunsAPI(this);
    this.environments = new EnvironmentsAPI(this);
    this.jobs = new JobsAPI(this);
    this.data = new DataAPI(this);
  }

  /** `pipelines/*` routes. */
  readonly pipelines: PipelinesAPI;

  /** `runs/*` routes. */
  readonly runs: RunsAPI;

  /** `environments/*` routes. */
  readonly environments: EnvironmentsAPI;

  /** `jobs/*` routes. */
  readonly jobs: JobsAPI;

  /** `pipelines/data*` routes (stored outputs, previews). */
  readonly data: DataAPI;
}
