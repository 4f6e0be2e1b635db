/**
 * A read-only JupyterLab drive of the files of job runs, so that the
 * notebooks a run wrote open in JupyterLab's own notebook viewer with their
 * outputs: `OrchestJobs:<job id>/<run id>/<path in the run's folder>`.
 *
 * Files come from `GET jobs/<job>/runs/<run>/files/<path>`. Every model is
 * `writable: false`, a notebook's cells are marked not editable (so the
 * viewer refuses typing), and every write (save, rename, delete, new file,
 * copy, checkpoint) is refused with a message saying why.
 */
import { Contents, ServerConnection } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

import type { IJobsAPI } from '../api/interfaces';
import { JOBS_DRIVE_NAME } from '../model/JobRunModel';
import { baseName } from '../model/paths';
import { isJSONObject } from '../model/pipeline';

/** Why the drive refuses writes. */
export const READ_ONLY_MESSAGE =
  "The files of a job's run are read-only: they are what the run left. " +
  'To change a notebook, edit it in the project and run the job again.';

/** A job, its run and the path in the run's folder, from a drive path. */
export function parseJobsPath(
  localPath: string
): { jobId: string; runId: string; path: string } | null {
  const parts = localPath.split('/').filter(part => part !== '');
  if (parts.length < 3) {
    return null;
  }
  const [jobId, runId, ...rest] = parts;
  return { jobId, runId, path: rest.join('/') };
}

/**
 * A notebook as the viewer shows it: its cells marked not editable and not
 * deletable, so that the notebook refuses edits.
 */
export function readOnlyNotebook(notebook: unknown): unknown {
  if (!isJSONObject(notebook) || !Array.isArray(notebook.cells)) {
    return notebook;
  }
  return {
    ...notebook,
    cells: notebook.cells.map(cell =>
      isJSONObject(cell)
        ? {
            ...cell,
            metadata: {
              ...(isJSONObject(cell.metadata) ? cell.metadata : {}),
              editable: false,
              deletable: false
            }
          }
        : cell
    )
  };
}

/** The read-only drive of job runs' files. */
export class JobsDrive implements Contents.IDrive {
  constructor(options: JobsDrive.IOptions) {
    this._api = options.api;
    this.serverSettings = options.serverSettings;
  }

  readonly name = JOBS_DRIVE_NAME;

  readonly serverSettings: ServerConnection.ISettings;

  /** Never emitted: nothing changes these files from JupyterLab. */
  get fileChanged(): ISignal<this, Contents.IChangedArgs> {
    return this._fileChanged;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  async get(
    localPath: string,
    options: Contents.IFetchOptions = {}
  ): Promise<Contents.IModel> {
    const where = parseJobsPath(localPath);
    const name = baseName(localPath);
    if (!where) {
      // The drive's folders (a job, a run) are not listed.
      return this._model(localPath, name, 'directory', 'json', [], '');
    }
    const wantContent = options.content !== false;
    const text = wantContent
      ? await this._api.fileText(where.jobId, where.runId, where.path)
      : '';
    const notebook =
      options.type === 'notebook' ||
      (options.type === undefined && localPath.endsWith('.ipynb'));
    if (notebook) {
      let content: unknown = null;
      if (wantContent) {
        try {
          content = readOnlyNotebook(JSON.parse(text));
        } catch (reason) {
          throw new Error(
            `${where.path} of run ${where.runId} is not a notebook: ${reason}`
          );
        }
      }
      return this._model(localPath, name, 'notebook', 'json', content, '');
    }
    return this._model(
      localPath,
      name,
      'file',
      'text',
      wantContent ? text : null,
      'text/plain'
    );
  }

  async getDownloadUrl(localPath: string): Promise<string> {
    const where = parseJobsPath(localPath);
    if (!where) {
      throw new Error(`${localPath} is not a file of a job's run`);
    }
    return this._api.fileURL(where.jobId, where.runId, where.path);
  }

  newUntitled(): Promise<Contents.IModel> {
    return this._refuse();
  }

  delete(): Promise<void> {
    return this._refuse();
  }

  rename(): Promise<Contents.IModel> {
    return this._refuse();
  }

  save(): Promise<Contents.IModel> {
    return this._refuse();
  }

  copy(): Promise<Contents.IModel> {
    return this._refuse();
  }

  createCheckpoint(): Promise<Contents.ICheckpointModel> {
    return this._refuse();
  }

  async listCheckpoints(): Promise<Contents.ICheckpointModel[]> {
    return [];
  }

  restoreCheckpoint(): Promise<void> {
    return this._refuse();
  }

  deleteCheckpoint(): Promise<void> {
    return this._refuse();
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    Signal.clearData(this);
  }

  private async _refuse<T>(): Promise<T> {
    throw new Error(READ_ONLY_MESSAGE);
  }

  private _model(
    path: string,
    name: string,
    type: Contents.ContentType,
    format: Contents.FileFormat,
    content: unknown,
    mimetype: string
  ): Contents.IModel {
    return {
      name,
      path,
      type,
      format: content === null ? null : format,
      content,
      mimetype,
      writable: false,
      created: EPOCH,
      last_modified: EPOCH
    };
  }

  private _api: IJobsAPI;
  private _isDisposed = false;
  private _fileChanged = new Signal<this, Contents.IChangedArgs>(this);
}

/** The files' times are not served; they never change anyway. */
const EPOCH = new Date(0).toISOString();

export namespace JobsDrive {
  export interface IOptions {
    api: IJobsAPI;
    serverSettings: ServerConnection.ISettings;
  }
}
