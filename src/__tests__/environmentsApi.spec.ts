import { APIError, projectSegment } from '../api';
import { ICall, fakeServer as fakeServerAt, json } from './fakeServer';

const fakeServer = (respond: (call: ICall) => Response) =>
  fakeServerAt(respond, 'http://localhost:8888/base/');

const BASE = 'http://localhost:8888/base/orchest-lab/api';
const ENV = {
  uuid: 'e-1',
  name: 'Base',
  language: 'python',
  project: 'a/b',
  kernel_name: 'orchest-env-p-e-1',
  build: { state: 'none' }
};

describe('EnvironmentsAPI', () => {
  it('puts projects into routes, the root as ./ (a bare . would vanish)', () => {
    expect(projectSegment('')).toBe('.%2F');
    expect(projectSegment('.')).toBe('.%2F');
    expect(projectSegment('a/b c')).toBe('a/b%20c');
    expect(projectSegment('x#y')).toBe('x%23y');
  });

  it('calls each route with its method and body', async () => {
    const { api, calls } = fakeServer(call => {
      if (call.method === 'DELETE' && call.url.endsWith('/e-1')) {
        return json(204, null);
      }
      if (call.method === 'POST' && call.url.includes('?project=')) {
        return json(201, ENV);
      }
      if (call.url.endsWith('/build') && call.method === 'POST') {
        return json(202, ENV);
      }
      if (call.url.includes('?project=')) {
        return json(200, {
          project: 'a/b',
          project_uuid: 'p',
          environments: [ENV]
        });
      }
      return json(200, ENV);
    });
    expect(await api.environments.listProject('a/b')).toEqual({
      project: 'a/b',
      project_uuid: 'p',
      environments: [ENV]
    });
    expect(await api.environments.get('a/b', 'e-1')).toEqual(ENV);
    expect(await api.environments.create('a/b', { name: 'Base' })).toEqual(ENV);
    await api.environments.update('a/b', 'e-1', { setup_script: 'echo\n' });
    await api.environments.build('a/b', 'e-1');
    await api.environments.cancelBuild('a/b', 'e-1');
    await expect(
      api.environments.delete('a/b', 'e-1')
    ).resolves.toBeUndefined();
    await api.environments.get('', 'e-1');
    expect(calls.map(c => `${c.method} ${c.url.slice(BASE.length)}`)).toEqual([
      'GET /environments?project=a%2Fb',
      'GET /environments/a/b/e-1',
      'POST /environments?project=a%2Fb',
      'PUT /environments/a/b/e-1',
      'POST /environments/a/b/e-1/build',
      'DELETE /environments/a/b/e-1/build',
      'DELETE /environments/a/b/e-1',
      'GET /environments/.%2F/e-1'
    ]);
    expect(JSON.parse(calls[2].body!)).toEqual({ name: 'Base' });
    expect(JSON.parse(calls[3].body!)).toEqual({ setup_script: 'echo\n' });
  });

  it("gives the server's refusal to delete as an APIError", async () => {
    const message =
      "environment 'Base' is used by step 'Load' of p.orchest; give those steps another environment first";
    const { api } = fakeServer(() => json(409, { message }));
    const error = await api.environments.delete('a', 'e-1').catch(e => e);
    expect(error).toBeInstanceOf(APIError);
    expect(error.status).toBe(409);
    expect(error.message).toBe(message);
  });

  it('reads and follows the build log', async () => {
    const encoder = new TextEncoder();
    const { api, calls } = fakeServer(call =>
      call.url.includes('follow=true')
        ? new Response(
            new ReadableStream({
              start(controller) {
                controller.enqueue(encoder.encode('$ uv venv\n'));
                controller.enqueue(encoder.encode('hello\n'));
                controller.close();
              }
            }),
            { status: 200 }
          )
        : new Response('tail', {
            status: 200,
            headers: { 'X-Log-Offset': '14' }
          })
    );
    expect(await api.environments.log('a', 'e-1', 10)).toEqual({
      text: 'tail',
      offset: 14
    });
    const pieces: string[] = [];
    await api.environments.followLog('a', 'e-1', text => pieces.push(text));
    expect(pieces).toEqual(['$ uv venv\n', 'hello\n']);
    expect(calls.map(c => c.url.slice(BASE.length))).toEqual([
      '/environments/a/e-1/build/log?offset=10',
      '/environments/a/e-1/build/log?follow=true&offset=0'
    ]);
  });

  it('tells of created, changed and deleted environments, not of refused ones', async () => {
    const { api } = fakeServer(call => {
      if (call.method === 'DELETE' && call.url.includes('/e-2')) {
        return json(409, { message: 'steps use it' });
      }
      return json(call.method === 'DELETE' ? 204 : 200, ENV);
    });
    const told: string[] = [];
    api.environments.definitionsChanged.connect((_, project) =>
      told.push(project)
    );
    await api.environments.create('a/b', { name: 'Base' });
    await api.environments.update('a/b', 'e-1', { name: 'Other' });
    await api.environments.delete('', 'e-1');
    await expect(api.environments.delete('a/b', 'e-2')).rejects.toBeInstanceOf(
      APIError
    );
    await api.environments.build('a/b', 'e-1');
    expect(told).toEqual(['a/b', 'a/b', '']);
  });
});
