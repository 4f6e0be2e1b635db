import {
  createPipeline,
  hasDefaultName,
  newPipelineContent,
  newUUID,
  pipelineNameFromPath,
  renamedPipelineText
} from '../model/pipeline';

const UUID_V4 =
  /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('new pipelines', () => {
  it('names the pipeline after its file', () => {
    expect(pipelineNameFromPath('untitled.orchest')).toBe('untitled');
    expect(pipelineNameFromPath('a/b/my data.orchest')).toBe('my data');
    expect(pipelineNameFromPath('notes.txt')).toBe('notes.txt');
  });

  it('creates an empty pipeline with default settings', () => {
    expect(createPipeline({ name: 'p', uuid: 'u' })).toEqual({
      name: 'p',
      parameters: {},
      settings: {
        auto_eviction: false,
        data_passing_memory_size: '1GB',
        max_steps_parallelism: 0
      },
      steps: {},
      uuid: 'u',
      version: '1.0.0'
    });
  });

  it('writes the file content Orchest expects', () => {
    const text = newPipelineContent(
      'data/untitled1.orchest',
      '6a4c0d3e-9b1f-4c55-8a2e-1f0e7d3c2b10'
    );
    expect(text).toBe(
      [
        '{',
        '    "name": "untitled1",',
        '    "parameters": {},',
        '    "settings": {',
        '        "auto_eviction": false,',
        '        "data_passing_memory_size": "1GB",',
        '        "max_steps_parallelism": 0',
        '    },',
        '    "steps": {},',
        '    "uuid": "6a4c0d3e-9b1f-4c55-8a2e-1f0e7d3c2b10",',
        '    "version": "1.0.0"',
        '}',
        ''
      ].join('\n')
    );
  });

  it('gives every new pipeline a fresh version-4 uuid', () => {
    const a = JSON.parse(newPipelineContent('a.orchest')).uuid;
    const b = JSON.parse(newPipelineContent('a.orchest')).uuid;
    expect(a).toMatch(UUID_V4);
    expect(b).toMatch(UUID_V4);
    expect(a).not.toBe(b);
  });

  it('falls back to a non-crypto.randomUUID generator', () => {
    const original = globalThis.crypto;
    Object.defineProperty(globalThis, 'crypto', {
      value: undefined,
      configurable: true
    });
    try {
      expect(newUUID()).toMatch(UUID_V4);
    } finally {
      Object.defineProperty(globalThis, 'crypto', {
        value: original,
        configurable: true
      });
    }
  });
});

describe('renamedPipelineText', () => {
  const text = (name: string) =>
    JSON.stringify({ name, steps: {}, version: '1.0.0' }, null, 4) + '\n';

  it('renames a pipeline still named after its old file', () => {
    const renamed = renamedPipelineText(
      text('untitled'),
      'a/untitled.orchest',
      'a/etl.orchest'
    );
    expect(JSON.parse(renamed!)).toEqual({
      name: 'etl',
      steps: {},
      version: '1.0.0'
    });
  });

  it('keeps a name of its own, and leaves invalid files alone', () => {
    expect(
      renamedPipelineText(text('My ETL'), 'untitled.orchest', 'etl.orchest')
    ).toBeNull();
    expect(
      renamedPipelineText('{ nope', 'untitled.orchest', 'etl.orchest')
    ).toBeNull();
  });

  it('tells a default name from a set one', () => {
    expect(hasDefaultName({ name: 'x' }, 'd/x.orchest')).toBe(true);
    expect(hasDefaultName({}, 'd/x.orchest')).toBe(true);
    expect(hasDefaultName({ name: 'y' }, 'd/x.orchest')).toBe(false);
    expect(hasDefaultName(null, 'd/x.orchest')).toBe(false);
  });
});
