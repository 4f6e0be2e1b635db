import { ServerConnection } from '@jupyterlab/services';

import type { IJobsAPI } from '../api';
import {
  JobsDrive,
  READ_ONLY_MESSAGE,
  parseJobsPath,
  readOnlyNotebook
} from '../drive/JobsDrive';
import { JOBS_DRIVE_NAME, jobsDrivePath } from '../model/JobRunModel';

const NOTEBOOK = {
  cells: [
    {
      cell_type: 'code',
      metadata: { tags: ['x'] },
      source: 'print(1)',
      outputs: [{ output_type: 'stream', name: 'stdout', text: '1\n' }],
      execution_count: 1
    }
  ],
  metadata: {},
  nbformat: 4,
  nbformat_minor: 5
};

function drive(files: Record<string, string>): {
  drive: JobsDrive;
  asked: string[];
} {
  const asked: string[] = [];
  const api = {
    fileText: async (job: string, run: string, path: string) => {
      asked.push(`${job}/${run}/${path}`);
      if (!(path in files)) {
        throw new Error(`run ${run} has no file '${path}'`);
      }
      return files[path];
    },
    fileURL: (job: string, run: string, path: string) =>
      `http://x/jobs/${job}/runs/${run}/files/${path}`
  } as unknown as IJobsAPI;
  return {
    drive: new JobsDrive({
      api,
      serverSettings: ServerConnection.makeSettings()
    }),
    asked
  };
}

describe('JobsDrive', () => {
  it('reads <job>/<run>/<path> drive paths', () => {
    expect(parseJobsPath('j/r/sub/a.ipynb')).toEqual({
      jobId: 'j',
      runId: 'r',
      path: 'sub/a.ipynb'
    });
    expect(parseJobsPath('j/r')).toBeNull();
    expect(jobsDrivePath('j', 'r', 'a.ipynb')).toBe(
      `${JOBS_DRIVE_NAME}:j/r/a.ipynb`
    );
  });

  it('serves a run notebook read-only, its cells not editable, outputs kept', async () => {
    const { drive: d, asked } = drive({
      'train.ipynb': JSON.stringify(NOTEBOOK)
    });
    const model = await d.get('j/r/train.ipynb', {
      type: 'notebook',
      format: 'json',
      content: true
    });
    expect(asked).toEqual(['j/r/train.ipynb']);
    expect(model).toMatchObject({
      name: 'train.ipynb',
      path: 'j/r/train.ipynb',
      type: 'notebook',
      format: 'json',
      writable: false
    });
    const cell = model.content.cells[0];
    expect(cell.metadata).toEqual({
      tags: ['x'],
      editable: false,
      deletable: false
    });
    expect(cell.outputs).toEqual(NOTEBOOK.cells[0].outputs);
    expect(readOnlyNotebook('not a notebook')).toBe('not a notebook');
  });

  it('serves other files as text, and passes on a missing file', async () => {
    const { drive: d } = drive({ 'report.sh': 'echo hi\n' });
    const model = await d.get('j/r/report.sh', {
      type: 'file',
      format: 'text'
    });
    expect(model).toMatchObject({
      type: 'file',
      content: 'echo hi\n',
      writable: false
    });
    await expect(d.get('j/r/gone.ipynb', { type: 'notebook' })).rejects.toThrow(
      "has no file 'gone.ipynb'"
    );
    await expect(d.getDownloadUrl('j/r/report.sh')).resolves.toBe(
      'http://x/jobs/j/runs/r/files/report.sh'
    );
  });

  it('refuses every write, saying why', async () => {
    const { drive: d } = drive({});
    await expect(d.save()).rejects.toThrow(READ_ONLY_MESSAGE);
    await expect(d.rename()).rejects.toThrow(READ_ONLY_MESSAGE);
    await expect(d.delete()).rejects.toThrow(READ_ONLY_MESSAGE);
    await expect(d.newUntitled()).rejects.toThrow(READ_ONLY_MESSAGE);
    await expect(d.copy()).rejects.toThrow(READ_ONLY_MESSAGE);
    await expect(d.createCheckpoint()).rejects.toThrow(READ_ONLY_MESSAGE);
    await expect(d.listCheckpoints()).resolves.toEqual([]);
    expect(READ_ONLY_MESSAGE).toMatch(/read-only/);
  });
});
