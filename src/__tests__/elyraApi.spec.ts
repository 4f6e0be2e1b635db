import { unmappedLine, unmappedSummary } from '../model/unmapped';
import { fakeServer, json } from './fakeServer';

const CONVERSION = {
  path: 'work/flow.orchest',
  unmapped: [
    {
      what: 'outputs',
      message: 'files a step writes stay in the project folder',
      pointer: '/pipelines/0/nodes/0/app_data/component_parameters/outputs',
      node: 'make.py'
    }
  ]
};

describe('Elyra interchange routes', () => {
  it('posts the path to import-elyra and returns the new file and what did not map', async () => {
    const { api, calls } = fakeServer(() => json(201, CONVERSION));
    await expect(
      api.pipelines.importElyra('work/flow.pipeline')
    ).resolves.toEqual(CONVERSION);
    expect(calls[0].url).toBe(
      'http://localhost:8888/lab-base/orchest-lab/api/pipelines/import-elyra'
    );
    expect(calls[0].method).toBe('POST');
    expect(JSON.parse(calls[0].body!)).toEqual({ path: 'work/flow.pipeline' });
  });

  it('posts the path to export-elyra', async () => {
    const { api, calls } = fakeServer(() =>
      json(201, { path: 'p.pipeline', unmapped: [] })
    );
    await api.pipelines.exportElyra('p.orchest');
    expect(calls[0].url).toBe(
      'http://localhost:8888/lab-base/orchest-lab/api/pipelines/export-elyra'
    );
    expect(JSON.parse(calls[0].body!)).toEqual({ path: 'p.orchest' });
  });

  it('passes on the located message of a file that cannot be converted', async () => {
    const { api } = fakeServer(() =>
      json(400, {
        message: 'bad.pipeline:2:16: not valid JSON: Expecting value'
      })
    );
    const error = await api.pipelines.importElyra('bad.pipeline').catch(e => e);
    expect(error.message).toBe(
      'bad.pipeline:2:16: not valid JSON: Expecting value'
    );
  });
});

describe('unmapped items', () => {
  it('reads as node: what: message (at pointer)', () => {
    expect(unmappedLine(CONVERSION.unmapped[0])).toBe(
      'make.py: outputs: files a step writes stay in the project folder ' +
        '(at /pipelines/0/nodes/0/app_data/component_parameters/outputs)'
    );
    expect(
      unmappedLine({
        what: 'comment',
        message: 'left out',
        pointer: '',
        node: null
      })
    ).toBe('comment: left out');
  });

  it('counts them', () => {
    expect(unmappedSummary(1, 'a.pipeline')).toBe(
      '1 item of a.pipeline did not map:'
    );
    expect(unmappedSummary(3, 'a.pipeline')).toBe(
      '3 items of a.pipeline did not map:'
    );
    expect(unmappedSummary(0, 'a.pipeline')).toBe(
      'Everything in a.pipeline was carried over.'
    );
  });
});
