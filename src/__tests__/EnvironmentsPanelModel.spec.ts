import { APIError, IEnvironment, IEnvironmentFields } from '../api';
import {
  EnvironmentsPanelModel,
  EnvironmentsService
} from '../model/EnvironmentsPanelModel';
import { EventSchemas } from '../model/events';

const KERNEL = 'orchest-env-p-u';

function environment(uuid: string, name: string, extra = {}): IEnvironment {
  return {
    uuid,
    name,
    language: 'python',
    setup_script: '#!/bin/bash\n',
    project: 'proj',
    build: { state: 'none', kernel_name: null, up_to_date: false },
    ...extra
  };
}

/** A pending promise and what settles it. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A server of environments in memory, recording the calls. */
class FakeService implements EnvironmentsService {
  envs = new Map<string, IEnvironment>();
  calls: string[] = [];
  /** Log followers: the test feeds them text and ends them. */
  followers: {
    uuid: string;
    onText: (text: string) => void;
    end: () => void;
    signal?: AbortSignal;
  }[] = [];
  /** Makes the next update fail with this error. */
  failUpdate: Error | null = null;
  /** Makes deletes fail with this error. */
  failDelete: Error | null = null;
  nextUuid = 1;

  async listProject(project: string) {
    this.calls.push(`list ${project}`);
    return {
      project: project || '.',
      project_uuid: 'p',
      environments: [...this.envs.values()]
    };
  }
  async create(project: string, fields: IEnvironmentFields) {
    this.calls.push(`create ${project} ${fields.name}`);
    const env = environment(`new-${this.nextUuid++}`, fields.name ?? '');
    this.envs.set(env.uuid, env);
    return env;
  }
  async update(project: string, uuid: string, fields: IEnvironmentFields) {
    this.calls.push(`update ${project} ${uuid} ${JSON.stringify(fields)}`);
    if (this.failUpdate) {
      throw this.failUpdate;
    }
    const env = {
      ...this.envs.get(uuid)!,
      name: fields.name!,
      setup_script: fields.setup_script!
    };
    this.envs.set(uuid, env);
    return env;
  }
  async delete(project: string, uuid: string) {
    this.calls.push(`delete ${project} ${uuid}`);
    if (this.failDelete) {
      throw this.failDelete;
    }
    this.envs.delete(uuid);
  }
  /** Called while a build request is under way (events may come meanwhile). */
  duringBuild: (() => void) | null = null;
  async build(project: string, uuid: string) {
    this.calls.push(`build ${project} ${uuid}`);
    this.duringBuild?.();
    return this.envs.get(uuid)!;
  }
  async cancelBuild(project: string, uuid: string) {
    this.calls.push(`cancel ${project} ${uuid}`);
    const env = {
      ...this.envs.get(uuid)!,
      build: {
        state: 'cancelled' as const,
        message: 'cancelled',
        kernel_name: KERNEL,
        up_to_date: false
      }
    };
    this.envs.set(uuid, env);
    return env;
  }
  followLog(
    project: string,
    uuid: string,
    onText: (text: string) => void,
    options: { signal?: AbortSignal } = {}
  ): Promise<void> {
    this.calls.push(`follow ${project} ${uuid}`);
    const done = deferred<void>();
    this.followers.push({
      uuid,
      onText,
      end: () => done.resolve(),
      signal: options.signal
    });
    return done.promise;
  }
}

function buildEvent(uuid: string, state: string, extra = {}) {
  return {
    schema_id: EventSchemas.environmentBuild,
    project: 'proj',
    environment_uuid: uuid,
    state,
    ...extra
  };
}

async function setup(envs: IEnvironment[] = []) {
  const service = new FakeService();
  for (const env of envs) {
    service.envs.set(env.uuid, env);
  }
  const model = new EnvironmentsPanelModel({
    service,
    listProjects: async () => ['proj', 'other', 'proj']
  });
  await model.loadProjects();
  await model.setProject('proj');
  return { service, model };
}

const flush = () => new Promise(resolve => setTimeout(resolve, 0));

describe('EnvironmentsPanelModel', () => {
  it('lists the projects once and the environments by name, selecting the first', async () => {
    const { model, service } = await setup([
      environment('b', 'Beta'),
      environment('a', 'Alpha')
    ]);
    expect(model.projects).toEqual(['other', 'proj']);
    expect(model.project).toBe('proj');
    expect(model.status).toBe('ready');
    expect(model.environments.map(env => env.name)).toEqual(['Alpha', 'Beta']);
    expect(model.selected?.uuid).toBe('a');
    // The selected environment's latest build log is read.
    expect(service.calls).toContain('follow proj a');
  });

  it('says why the environments could not be listed', async () => {
    const service = new FakeService();
    service.listProject = async () => {
      throw new APIError("project folder 'nope' does not exist", {
        status: 404
      });
    };
    const model = new EnvironmentsPanelModel({ service });
    await model.setProject('nope');
    expect(model.status).toBe('failed');
    expect(model.error).toBe(
      "Could not list the environments of 'nope': project folder 'nope' does not exist"
    );
  });

  it('keeps edits unsaved and dirty until saved', async () => {
    const { model, service } = await setup([environment('a', 'Alpha')]);
    expect(model.draft('a')).toEqual({
      name: 'Alpha',
      script: '#!/bin/bash\n',
      dirty: false
    });
    model.setName('a', 'Renamed');
    model.setScript('a', 'echo hello\n');
    expect(model.draft('a')).toEqual({
      name: 'Renamed',
      script: 'echo hello\n',
      dirty: true
    });
    // Typing back the saved values is not a change.
    model.setName('a', 'Alpha');
    model.setScript('a', '#!/bin/bash\n');
    expect(model.draft('a')?.dirty).toBe(false);

    model.setName('a', 'Renamed');
    model.setScript('a', 'echo hello\n');
    expect(await model.save('a')).toBe(true);
    expect(service.calls).toContain(
      'update proj a {"name":"Renamed","setup_script":"echo hello\\n"}'
    );
    expect(model.draft('a')).toEqual({
      name: 'Renamed',
      script: 'echo hello\n',
      dirty: false
    });
    expect(model.find('a')?.name).toBe('Renamed');
  });

  it("keeps the text and shows the server's message when a save fails", async () => {
    const { model, service } = await setup([environment('a', 'Alpha')]);
    service.failUpdate = new APIError(
      "the environment: field 'name' must be a non-empty string",
      { status: 400 }
    );
    model.setName('a', '');
    model.setScript('a', 'pip install tqdm\n');
    expect(await model.save('a')).toBe(false);
    expect(model.actionError('a')).toBe(
      "the environment: field 'name' must be a non-empty string"
    );
    expect(model.draft('a')).toEqual({
      name: '',
      script: 'pip install tqdm\n',
      dirty: true
    });
    expect(model.action('a')).toBeNull();
    // Revert drops the edits and the message.
    model.revert('a');
    expect(model.draft('a')?.dirty).toBe(false);
    expect(model.actionError('a')).toBeNull();
  });

  it('keeps edits made while a save was under way', async () => {
    const { model, service } = await setup([environment('a', 'Alpha')]);
    const gate = deferred<void>();
    const update = service.update.bind(service);
    service.update = async (...args) => {
      await gate.promise;
      return update(...args);
    };
    model.setScript('a', 'one\n');
    const saving = model.save('a');
    expect(model.action('a')).toBe('saving');
    model.setScript('a', 'one\ntwo\n');
    gate.resolve();
    await saving;
    expect(model.find('a')?.setup_script).toBe('one\n');
    expect(model.draft('a')).toMatchObject({
      script: 'one\ntwo\n',
      dirty: true
    });
  });

  it('creates an environment and selects it; a refused name is shown', async () => {
    const { model, service } = await setup([environment('a', 'Alpha')]);
    const created = await model.create('Zeta');
    expect(created?.uuid).toBe('new-1');
    expect(service.calls).toContain('create proj Zeta');
    expect(model.environments.map(env => env.name)).toEqual(['Alpha', 'Zeta']);
    expect(model.selected?.uuid).toBe('new-1');

    service.create = async () => {
      throw new APIError("field 'name' is required", { status: 400 });
    };
    expect(await model.create('')).toBeNull();
    expect(model.createError).toBe("field 'name' is required");
  });

  it('deletes, or shows why the server refused, naming the steps', async () => {
    const { model, service } = await setup([
      environment('a', 'Alpha'),
      environment('b', 'Beta')
    ]);
    service.failDelete = new APIError(
      "environment 'Alpha' is used by step 'Load' of p.orchest; give those steps another environment first",
      { status: 409 }
    );
    expect(await model.remove('a')).toBe(false);
    expect(model.actionError('a')).toMatch(/used by step 'Load' of p\.orchest/);
    expect(model.find('a')).toBeDefined();

    service.failDelete = null;
    expect(await model.remove('a')).toBe(true);
    expect(model.environments.map(env => env.uuid)).toEqual(['b']);
    // The next environment is selected.
    expect(model.selected?.uuid).toBe('b');
  });

  it('saves unsaved edits before building, and builds nothing if saving fails', async () => {
    const { model, service } = await setup([environment('a', 'Alpha')]);
    model.setScript('a', 'echo hi\n');
    expect(await model.build('a')).toBe(true);
    const update = service.calls.findIndex(call => call.startsWith('update'));
    const build = service.calls.indexOf('build proj a');
    expect(update).toBeGreaterThanOrEqual(0);
    expect(build).toBeGreaterThan(update);

    service.failUpdate = new Error('disk full');
    model.setScript('a', 'echo again\n');
    service.calls = [];
    expect(await model.build('a')).toBe(false);
    expect(service.calls.some(call => call.startsWith('build'))).toBe(false);
    expect(model.actionError('a')).toBe('disk full');
  });

  it('follows build events of its project: state, progress, a new log', async () => {
    const { model, service } = await setup([
      environment('a', 'Alpha', { setup_script: 'echo hi\n' })
    ]);
    await flush();
    service.followers[0].onText('old build log\n');
    service.followers[0].end();
    await flush();
    expect(model.log).toMatchObject({
      uuid: 'a',
      text: 'old build log\n',
      following: false
    });

    // Other projects' events are ignored.
    model.handleEvent({ ...buildEvent('a', 'queued'), project: 'other' });
    expect(model.find('a')?.build?.state).toBe('none');

    model.handleEvent(
      buildEvent('a', 'queued', { started_at: '2026-01-01T00:00:00Z' })
    );
    expect(model.find('a')?.build?.state).toBe('queued');
    // A new build: its log is followed from its start.
    expect(model.log).toMatchObject({ uuid: 'a', text: '', following: true });
    expect(service.followers).toHaveLength(2);
    expect(service.followers[0].signal?.aborted).toBe(true);

    model.handleEvent(buildEvent('a', 'building'));
    model.handleEvent({
      schema_id: EventSchemas.environmentBuildLog,
      project: 'proj',
      environment_uuid: 'a',
      text: '\n$ /uv venv --seed /b/venv\n'
    });
    expect(model.phase('a')).toEqual({
      step: 1,
      total: 4,
      label: 'creating the virtual environment'
    });
    service.followers[1].onText('$ bash /b/setup_script.sh\nhi\n');
    expect(model.phase('a')?.step).toBe(3);
    expect(model.log?.text).toBe('$ bash /b/setup_script.sh\nhi\n');

    model.handleEvent(
      buildEvent('a', 'ready', { kernel_name: KERNEL, up_to_date: true })
    );
    expect(model.find('a')?.build).toMatchObject({
      state: 'ready',
      kernel_name: KERNEL,
      up_to_date: true
    });
    service.followers[1].end();
    await flush();
    expect(model.log?.following).toBe(false);
  });

  it('reloads when a build event names an environment it does not know', async () => {
    const { model, service } = await setup([environment('a', 'Alpha')]);
    service.envs.set('c', environment('c', 'Gamma'));
    model.handleEvent(buildEvent('c', 'queued'));
    await flush();
    expect(model.environments.map(env => env.uuid)).toEqual(['a', 'c']);
  });

  it('keeps the state of build events that came before the build request was answered', async () => {
    const { model, service } = await setup([environment('a', 'Alpha')]);
    // The answer (still "none") was written before the build's first events.
    service.duringBuild = () =>
      model.handleEvent(buildEvent('a', 'building', { building: true }));
    expect(await model.build('a')).toBe(true);
    expect(model.find('a')?.build?.state).toBe('building');
  });

  it('cancels a build; the state the server answers is shown', async () => {
    const { model, service } = await setup([environment('a', 'Alpha')]);
    expect(await model.cancel('a')).toBe(true);
    expect(service.calls).toContain('cancel proj a');
    expect(model.find('a')?.build).toMatchObject({
      state: 'cancelled',
      kernel_name: KERNEL
    });
  });

  it('switching projects drops the old state and stops following its log', async () => {
    const { model, service } = await setup([environment('a', 'Alpha')]);
    model.setName('a', 'edited');
    await model.setProject('other');
    expect(service.followers[0].signal?.aborted).toBe(true);
    expect(model.project).toBe('other');
    expect(model.log?.uuid).toBe('a'); // the fake lists the same environments
    expect(model.draft('a')?.dirty).toBe(false);
  });

  it('ignores an answer for a project no longer shown', async () => {
    const service = new FakeService();
    const slow = deferred<void>();
    service.envs.set('a', environment('a', 'Alpha'));
    const list = service.listProject.bind(service);
    service.listProject = async project => {
      if (project === 'slow') {
        await slow.promise;
        return { project, project_uuid: 's', environments: [] };
      }
      return list(project);
    };
    const model = new EnvironmentsPanelModel({ service });
    const first = model.setProject('slow');
    await model.setProject('proj');
    slow.resolve();
    await first;
    expect(model.project).toBe('proj');
    expect(model.environments.map(env => env.uuid)).toEqual(['a']);
  });
});
