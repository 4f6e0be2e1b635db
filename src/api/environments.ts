/**
 * The `environments` routes the editor uses: a project's environments.
 */
import type { APIConnection } from './client';
import type { IEnvironment } from './types';

/** The `environments/*` routes. */
export class EnvironmentsAPI {
  constructor(private readonly _api: APIConnection) {}

  /**
   * The environments of a project (its folder, relative to the server root;
   * '' for the root).
   */
  async list(project: string): Promise<IEnvironment[]> {
    const data = await this._api.request<{ environments: IEnvironment[] }>(
      'environments',
      { query: { project: project || '.' } }
    );
    return Array.isArray(data?.environments) ? data.environments : [];
  }
}
