import * as fs from 'fs';
import * as path from 'path';

import {
  PipelineModel,
  UNTITLED_STEP,
  readEdges,
  readSteps
} from '../model/PipelineModel';
import { serializePipeline } from '../model/pipeline';

const QUICKSTART = path.resolve(
  __dirname,
  '../../examples/quickstart/quickstart.orchest'
);

/** A pipeline with fields Orchest knows and this extension does not. */
function pipelineWithExtras(): string {
  return serializePipeline({
    name: 'extras',
    zeta_top_level: { nested: [1, 2, { deep: true }] },
    parameters: { b: 1, a: 2 },
    settings: {
      auto_eviction: false,
      data_passing_memory_size: '1GB',
      max_steps_parallelism: 0,
      custom_setting: 'keep me'
    },
    services: { redis: { image: 'redis', scope: ['interactive'] } },
    steps: {
      'step-b': {
        uuid: 'step-b',
        title: 'B',
        file_path: 'b.py',
        incoming_connections: ['step-a'],
        environment: '',
        kernel: { name: 'python', display_name: 'Python 3' },
        parameters: {},
        meta_data: { hidden: false, position: [300, 0], color: 'red' },
        step_extra: 42
      },
      'step-a': {
        uuid: 'step-a',
        title: 'A',
        file_path: 'a.ipynb',
        incoming_connections: [],
        environment: '',
        kernel: { name: 'python', display_name: 'Python 3' },
        parameters: {},
        meta_data: { hidden: false, position: [0, 0] }
      }
    },
    uuid: '3b0a3f4e-4c64-4d53-9f5e-7d2f1f9b0c11',
    version: '1.0.0',
    hash: 'abc'
  });
}

describe('PipelineModel', () => {
  it('reads the quickstart example: 5 steps, 5 edges, titles and positions', () => {
    const model = new PipelineModel();
    expect(model.fromString(fs.readFileSync(QUICKSTART, 'utf-8'))).toBe(true);
    expect(model.parseError).toBeNull();
    expect(model.name).toBe('quickstart');
    expect(model.steps.map(step => step.title)).toEqual([
      'Load data',
      'Clean',
      'Features',
      'Train',
      'Report'
    ]);
    expect(model.edges).toHaveLength(5);
    const train = model.steps.find(step => step.title === 'Train')!;
    expect(train.position).toEqual([680, 220]);
    expect(train.filePath).toBe('train.ipynb');
    expect(model.getStep(train.uuid)).toBe(train);
  });

  it('round-trips text byte for byte, keeping unknown fields and key order', () => {
    const text = pipelineWithExtras();
    const model = new PipelineModel();
    model.fromString(text);
    expect(model.toString()).toBe(text);
    const pipeline = model.pipeline as Record<string, any>;
    expect(Object.keys(pipeline)).toEqual([
      'name',
      'zeta_top_level',
      'parameters',
      'settings',
      'services',
      'steps',
      'uuid',
      'version',
      'hash'
    ]);
    expect(Object.keys(pipeline.parameters)).toEqual(['b', 'a']);
    expect(Object.keys(pipeline.steps)).toEqual(['step-b', 'step-a']);
    expect(pipeline.steps['step-b'].step_extra).toBe(42);
    expect(pipeline.steps['step-b'].meta_data.color).toBe('red');
    expect(pipeline.settings.custom_setting).toBe('keep me');
  });

  it('writes 4-space indentation and a final newline', () => {
    const model = new PipelineModel();
    model.fromString('{"name":"x","steps":{},"version":"1.0.0"}');
    expect(model.toString()).toBe(
      '{\n    "name": "x",\n    "steps": {},\n    "version": "1.0.0"\n}\n'
    );
  });

  it('builds edges parent -> child from incoming_connections, in order', () => {
    const model = new PipelineModel();
    model.fromString(fs.readFileSync(QUICKSTART, 'utf-8'));
    const title = (uuid: string) => model.getStep(uuid)!.title;
    expect(
      model.edges.map(edge => `${title(edge.source)} -> ${title(edge.target)}`)
    ).toEqual([
      'Load data -> Clean',
      'Load data -> Features',
      'Clean -> Train',
      'Features -> Train',
      'Train -> Report'
    ]);
    const intoTrain = model.edges.filter(
      edge => title(edge.target) === 'Train'
    );
    expect(intoTrain.map(edge => edge.index)).toEqual([0, 1]);
    expect(intoTrain[0].id).toBe(
      `${intoTrain[0].source}->${intoTrain[0].target}`
    );
  });

  it('leaves connections to unknown steps and repeated connections out of the graph', () => {
    const steps = readSteps({
      steps: {
        a: { title: 'A', incoming_connections: [] },
        b: { title: 'B', incoming_connections: ['a', 'a', 'ghost', 7] }
      }
    });
    expect(steps[1].incoming).toEqual(['a', 'a', 'ghost']);
    expect(readEdges(steps).map(edge => edge.id)).toEqual(['a->b']);
  });

  it('reads malformed steps with defaults instead of failing', () => {
    const steps = readSteps({
      steps: {
        x: 'not a step',
        y: { title: '  ', meta_data: { position: [1, 'two'] }, file_path: 3 }
      }
    });
    expect(steps.map(step => step.title)).toEqual([
      UNTITLED_STEP,
      UNTITLED_STEP
    ]);
    expect(steps[1].position).toBeNull();
    expect(steps[1].filePath).toBe('');
    expect(readSteps({ steps: [] })).toEqual([]);
    expect(readSteps(null)).toEqual([]);
  });

  it('keeps the last good pipeline and reports line/column on invalid JSON', () => {
    const model = new PipelineModel();
    const changes: number[] = [];
    model.changed.connect(() => changes.push(model.steps.length));
    model.fromString(fs.readFileSync(QUICKSTART, 'utf-8'));
    expect(
      model.fromString('{\n    "name": "quickstart",\n    "steps": {,}\n}')
    ).toBe(false);
    expect(model.parseError).toMatchObject({ line: 3, column: 15 });
    expect(model.isStale).toBe(true);
    expect(model.steps).toHaveLength(5);
    expect(model.name).toBe('quickstart');
    expect(changes).toEqual([5, 5]);
  });

  it('starts empty when the first text is invalid, and recovers when fixed', () => {
    const model = new PipelineModel();
    expect(model.fromString('{"name": "x", "steps": ')).toBe(false);
    expect(model.pipeline).toBeNull();
    expect(model.steps).toEqual([]);
    expect(model.isStale).toBe(false);
    expect(model.toString()).toBe('');
    expect(model.fromString('{"name": "x", "steps": {}}')).toBe(true);
    expect(model.parseError).toBeNull();
    expect(model.name).toBe('x');
  });

  it('rejects JSON that is not an object', () => {
    const model = new PipelineModel();
    expect(model.fromString('[1, 2]')).toBe(false);
    expect(model.parseError!.message).toMatch(/JSON object/);
  });

  it('does not signal when the same text is loaded again', () => {
    const model = new PipelineModel();
    let count = 0;
    model.changed.connect(() => count++);
    model.fromString('{"steps": {}}');
    model.fromString('{"steps": {}}');
    expect(count).toBe(1);
  });
});
