import { APIError, errorFromResponse } from '../api';
import { fakeServer, json } from './fakeServer';

describe('OrchestLabAPI', () => {
  it('lists pipelines from GET orchest-lab/api/pipelines', async () => {
    const pipelines = [
      {
        path: 'a/p.orchest',
        name: 'p',
        uuid: 'u',
        step_count: 2,
        project: 'a',
        error: null
      }
    ];
    const { api, calls } = fakeServer(() => json(200, { pipelines }));
    await expect(api.pipelines.list()).resolves.toEqual(pipelines);
    expect(calls).toHaveLength(1);
    expect(calls[0].url).toBe(
      'http://localhost:8888/lab-base/orchest-lab/api/pipelines'
    );
    expect(calls[0].method).toBe('GET');
    expect(calls[0].authorization).toBe('token secret');
  });

  it('posts the source to validate as JSON', async () => {
    const { api, calls } = fakeServer(() =>
      json(200, { valid: true, issues: [] })
    );
    const result = await api.pipelines.validate({
      path: 'p.orchest',
      content: '{}'
    });
    expect(result).toEqual({ valid: true, issues: [] });
    expect(calls[0].url).toBe(
      'http://localhost:8888/lab-base/orchest-lab/api/pipelines/validate'
    );
    expect(calls[0].method).toBe('POST');
    expect(calls[0].contentType).toBe('application/json');
    expect(JSON.parse(calls[0].body!)).toEqual({
      path: 'p.orchest',
      content: '{}'
    });
  });

  it('turns a {message, issues} error into an APIError carrying both', async () => {
    const issues = [
      {
        severity: 'error',
        code: 'cycle',
        message: "steps form a cycle: 'A' -> 'B' -> 'A'",
        step_uuid: 'a',
        pointer: '/steps/a/incoming_connections'
      }
    ];
    const { api } = fakeServer(() =>
      json(400, { message: 'the pipeline cannot be planned', issues })
    );
    const error = await api.pipelines
      .plan({ path: 'p.orchest', mode: 'full' })
      .catch(e => e);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe('the pipeline cannot be planned');
    expect(error.status).toBe(400);
    expect(error.issues).toEqual(issues);
  });

  it('explains a 404 without a JSON body (server extension missing)', async () => {
    const { api } = fakeServer(
      () =>
        new Response('<html>Not Found</html>', {
          status: 404,
          statusText: 'Not Found'
        })
    );
    const error = await api.pipelines.list().catch(e => e);
    expect(error).toBeInstanceOf(APIError);
    expect(error.status).toBe(404);
    expect(error.issues).toEqual([]);
    expect(error.message).toMatch(
      /server extension did not answer \(404 Not Found\)/
    );
  });

  it('reports an unreachable server as an APIError with status 0', async () => {
    const { api } = fakeServer(() => {
      throw new TypeError('Failed to fetch');
    });
    const error = await api.pipelines.list().catch(e => e);
    expect(error).toBeInstanceOf(APIError);
    expect(error.status).toBe(0);
    expect(error.message).toMatch(
      /Could not reach the Jupyter server: Failed to fetch/
    );
  });

  it('builds URLs with encoded query parameters', () => {
    const { api } = fakeServer(() => json(200, {}));
    expect(
      api.url('runs', { pipeline: 'a b.orchest', limit: 5, skip: undefined })
    ).toBe(
      'http://localhost:8888/lab-base/orchest-lab/api/runs?pipeline=a%20b.orchest&limit=5'
    );
  });
});

describe('errorFromResponse', () => {
  it('uses the status line when the body has no message', async () => {
    const error = await errorFromResponse(
      new Response('{"reason": "x"}', {
        status: 500,
        statusText: 'Internal Server Error'
      })
    );
    expect(error.message).toBe(
      'The orchest-lab server answered 500 Internal Server Error'
    );
    expect(error.status).toBe(500);
  });

  it('ignores a malformed issues field', async () => {
    const error = await errorFromResponse(
      json(400, { message: 'bad', issues: 'nope' })
    );
    expect(error.message).toBe('bad');
    expect(error.issues).toEqual([]);
  });
});

describe('OrchestLabAPI runs and environments', () => {
  const BASE = 'http://localhost:8888/lab-base/orchest-lab/api';
  const RUN = {
    id: 'r1',
    pipeline_path: 'p.orchest',
    status: 'PENDING',
    steps: []
  };

  it('starts a run with POST runs', async () => {
    const { api, calls } = fakeServer(() => json(202, RUN));
    const run = await api.runs.start({
      pipeline_path: 'p.orchest',
      mode: 'selection',
      steps: ['a']
    });
    expect(run).toEqual(RUN);
    expect(calls[0].url).toBe(`${BASE}/runs`);
    expect(calls[0].method).toBe('POST');
    expect(JSON.parse(calls[0].body!)).toEqual({
      pipeline_path: 'p.orchest',
      mode: 'selection',
      steps: ['a']
    });
  });

  it('lists runs (of one pipeline), reads and cancels one', async () => {
    const { api, calls } = fakeServer(call =>
      call.method === 'GET' && call.url.endsWith('/runs?pipeline=p.orchest')
        ? json(200, { runs: [RUN] })
        : json(200, { ...RUN, status: 'ABORTED' })
    );
    expect(await api.runs.list('p.orchest')).toEqual([RUN]);
    expect((await api.runs.get('r1')).status).toBe('ABORTED');
    expect((await api.runs.cancel('r1')).status).toBe('ABORTED');
    expect(calls.map(c => `${c.method} ${c.url.slice(BASE.length)}`)).toEqual([
      'GET /runs?pipeline=p.orchest',
      'GET /runs/r1',
      'DELETE /runs/r1'
    ]);
  });

  it('reads a log from an offset, and where to read on', async () => {
    const { api, calls } = fakeServer(
      () =>
        new Response('more text', {
          status: 200,
          headers: { 'X-Log-Offset': '29' }
        })
    );
    expect(await api.runs.log('r1', 's1', 20)).toEqual({
      text: 'more text',
      offset: 29
    });
    expect(calls[0].url).toBe(`${BASE}/runs/r1/steps/s1/log?offset=20`);
  });

  it('follows a log as the server streams it', async () => {
    const encoder = new TextEncoder();
    const { api, calls } = fakeServer(
      () =>
        new Response(
          new ReadableStream({
            start(controller) {
              controller.enqueue(encoder.encode('line 1\n'));
              controller.enqueue(encoder.encode('line 2 é'.slice(0, 7)));
              controller.enqueue(encoder.encode('\u00e9\n'));
              controller.close();
            }
          }),
          { status: 200 }
        )
    );
    const pieces: string[] = [];
    await api.runs.follow('r1', 's1', text => pieces.push(text));
    expect(pieces.join('')).toBe('line 1\nline 2 é\n');
    expect(calls[0].url).toBe(
      `${BASE}/runs/r1/steps/s1/log?follow=true&offset=0`
    );
  });

  it('finds the pipelines that run a file', async () => {
    const { api, calls } = fakeServer(() =>
      json(200, {
        pipelines: [
          {
            path: 'p.orchest',
            name: 'p',
            uuid: 'u',
            step_count: 2,
            project: '',
            error: null,
            steps: [{ uuid: 's', title: 'S' }]
          },
          {
            path: 'q.orchest',
            name: 'q',
            uuid: 'v',
            step_count: 1,
            project: '',
            error: null
          }
        ]
      })
    );
    const found = await api.pipelines.withFile('nb/a b.ipynb');
    expect(found.map(p => p.steps)).toEqual([[{ uuid: 's', title: 'S' }], []]);
    expect(calls[0].url).toBe(`${BASE}/pipelines?file=nb%2Fa%20b.ipynb`);
  });

  it("lists a project's environments ('.' for the root)", async () => {
    const env = { uuid: 'e', name: 'Python 3', language: 'python' };
    const { api, calls } = fakeServer(() => json(200, { environments: [env] }));
    expect(await api.environments.list('')).toEqual([env]);
    expect(await api.environments.list('proj/sub')).toEqual([env]);
    expect(calls.map(c => c.url.slice(BASE.length))).toEqual([
      '/environments?project=.',
      '/environments?project=proj%2Fsub'
    ]);
  });
});
