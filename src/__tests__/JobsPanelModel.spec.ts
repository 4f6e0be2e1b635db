import { Signal } from '@lumino/signaling';

import type { IJob, IJobsAPI, IRun } from '../api';
import { APIError } from '../api';
import { JobsModel } from '../model/JobsModel';
import { JobsPanelModel } from '../model/JobsPanelModel';
import { EventSchemas } from '../model/events';
import { IRunState, applyRun } from '../model/runState';
import type { IRunsModel } from '../tokens';

const TRAIN = 't-uuid';
const PIPELINE = JSON.stringify({
  name: 'p',
  steps: {
    [TRAIN]: {
      title: 'Train',
      file_path: 'nb/train.ipynb',
      incoming_connections: [],
      parameters: {}
    },
    s2: {
      title: 'Report',
      file_path: 'report.sh',
      incoming_connections: [TRAIN]
    }
  }
});

function job(id: string): IJob {
  return {
    id,
    name: id,
    pipeline_path: 'proj/sub/p.orchest',
    project: 'proj',
    status: 'SUCCESS',
    schedule: null,
    runs: { total: 1, SUCCESS: 1 }
  };
}

const RUN: IRun = {
  id: 'r1',
  pipeline_path: 'proj/sub/p.orchest',
  kind: 'job',
  job_id: 'a',
  status: 'SUCCESS',
  steps: [
    {
      uuid: TRAIN,
      title: 'Train',
      file_path: 'nb/train.ipynb',
      status: 'SUCCESS'
    },
    { uuid: 's2', title: 'Report', file_path: 'report.sh', status: 'SUCCESS' }
  ]
};

/** The runs store, as far as the panel uses it. */
class FakeRuns {
  changed = new Signal<IRunsModel, IRunState>(this as unknown as IRunsModel);
  states = new Map<string, IRunState>();
  get(id: string) {
    return this.states.get(id);
  }
  async fetch(id: string) {
    const state = applyRun(undefined, { ...RUN, id });
    this.states.set(id, state);
    this.changed.emit(state);
    return state;
  }
}

function setup(options: { failAction?: boolean } = {}) {
  const read: string[] = [];
  const api = {
    list: async () => [job('a'), job('b')],
    get: async (id: string) => job(id),
    create: async () => job('new'),
    delete: async () => undefined,
    act: async (id: string) => {
      if (options.failAction) {
        throw new APIError("job 'a' is running; wait for its runs to end", {
          status: 409
        });
      }
      return job(id);
    },
    runs: async () => ({
      runs: [
        {
          ...RUN,
          steps: { SUCCESS: 2 },
          parameters: { steps: { [TRAIN]: { lr: 0.1 } } }
        }
      ],
      total: 1,
      offset: 0
    }),
    fileText: async (jobId: string, runId: string, path: string) => {
      read.push(`${jobId}/${runId}/${path}`);
      return PIPELINE;
    },
    deleteRun: async () => null
  } as unknown as IJobsAPI;
  const jobs = new JobsModel({ source: api });
  const runs = new FakeRuns();
  const panel = new JobsPanelModel({
    jobs,
    api,
    runs: runs as unknown as IRunsModel
  });
  return { jobs, panel, read, runs };
}

const settle = () => new Promise(resolve => setTimeout(resolve, 5));

describe('JobsPanelModel', () => {
  it("selects a job: its runs load, and its steps' titles from a run's pipeline", async () => {
    const { jobs, panel, read } = setup();
    await jobs.load();
    panel.select('a');
    await settle();
    expect(panel.selected?.id).toBe('a');
    expect(panel.runs?.runs.map(r => r.id)).toEqual(['r1']);
    // The pipeline file in the run's folder: relative to the project.
    expect(read).toEqual(['a/r1/sub/p.orchest']);
    expect(panel.stepTitle(TRAIN)).toBe('Train');
    expect(panel.stepTitle('0123456789abcdef')).toBe('01234567');
  });

  it('opens a run: its pipeline, live statuses, and its notebooks in the jobs drive', async () => {
    const { jobs, panel, runs } = setup();
    await jobs.load();
    panel.select('a');
    await panel.openRun('r1');
    const run = panel.run!;
    expect(run.error).toBeNull();
    expect(run.pipeline.steps.map(s => s.title)).toEqual(['Train', 'Report']);
    expect(run.run?.steps[TRAIN].status).toBe('SUCCESS');
    expect(run.stepFile(TRAIN)).toBe('sub/nb/train.ipynb');
    expect(run.notebookPath(TRAIN)).toBe('OrchestJobs:a/r1/sub/nb/train.ipynb');
    expect(run.notebookPath('s2')).toBeNull();
    let changed = 0;
    run.changed.connect(() => changed++);
    runs.changed.emit(runs.get('r1')!);
    expect(changed).toBe(1);
    // Another job closes the run.
    panel.select('b');
    expect(panel.run).toBeNull();
    expect(run.isDisposed).toBe(true);
  });

  it("keeps an action's refusal to show, and deselects a job deleted elsewhere", async () => {
    const { jobs, panel } = setup({ failAction: true });
    await jobs.load();
    panel.select('a');
    await panel.act('a', 'trigger');
    expect(panel.actionError).toMatch(/is running/);
    expect(panel.busy('a', 'trigger')).toBe(false);
    panel.dismissError();
    expect(panel.actionError).toBeNull();
    jobs.handleEvent({
      schema_id: EventSchemas.job,
      job_id: 'a',
      status: 'DELETED'
    });
    expect(panel.selected).toBeNull();
    expect(panel.runs).toBeNull();
  });
});
