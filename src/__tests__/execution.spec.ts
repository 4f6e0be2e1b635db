import { updatePipeline, updateStep } from '../model/edits';
import {
  hasExecutionLimits,
  parseTimeout,
  quantityProblem,
  quantityText,
  timeoutProblem,
  timeoutText,
  withQuantity
} from '../model/execution';
import { IPipelineJSON, serializePipeline } from '../model/pipeline';

function pipeline(): IPipelineJSON {
  return JSON.parse(`{
    "name": "p",
    "parameters": {},
    "settings": {"auto_eviction": false, "data_passing_memory_size": "1GB", "max_steps_parallelism": 0},
    "steps": {
      "a": {"environment": "", "file_path": "a.ipynb", "incoming_connections": [], "kernel": {"display_name": "Python 3", "name": "python"},
            "meta_data": {"hidden": false, "position": [0, 0]}, "parameters": {}, "title": "A", "uuid": "a",
            "resources": {"limits": {"nvidia.com/gpu": "1"}}}
    },
    "uuid": "p-uuid",
    "version": "1.0.0"
  }`);
}

describe('quantities and timeouts', () => {
  it('accepts Kubernetes quantities and empty text, and says why others are not', () => {
    for (const ok of [
      '',
      '500m',
      '2',
      '0.5',
      '4Gi',
      '1e3',
      '128974848',
      '1.5G'
    ]) {
      expect(quantityProblem(ok)).toBeNull();
    }
    for (const bad of ['4GB', '-1', 'lots', '2 Gi', '1.2.3']) {
      expect(quantityProblem(bad)).toBe(
        "Must be a Kubernetes quantity such as '500m', '2' or '4Gi'"
      );
    }
  });

  it('reads a timeout as seconds, empty as none', () => {
    expect(timeoutProblem('')).toBeNull();
    expect(timeoutProblem('90.5')).toBeNull();
    expect(timeoutProblem('-3')).toMatch(/number of seconds/);
    expect(timeoutProblem('soon')).toMatch(/number of seconds/);
    expect(parseTimeout(' 600 ')).toBe(600);
    expect(parseTimeout('')).toBeNull();
    expect(timeoutText(600)).toBe('600');
    expect(timeoutText('600')).toBe('');
  });
});

describe('withQuantity', () => {
  it('sets one quantity and keeps the others, including ones the panel does not show', () => {
    const resources = withQuantity(
      { limits: { 'nvidia.com/gpu': '1' } },
      'limits',
      'memory',
      ' 2Gi '
    );
    expect(resources).toEqual({
      limits: { 'nvidia.com/gpu': '1', memory: '2Gi' }
    });
    expect(quantityText(resources, 'limits', 'memory')).toBe('2Gi');
    expect(quantityText(resources, 'requests', 'cpu')).toBe('');
  });

  it('drops an emptied half, and everything when nothing is left', () => {
    const both = { requests: { cpu: '1' }, limits: { memory: '1Gi' } };
    expect(withQuantity(both, 'requests', 'cpu', '')).toEqual({
      limits: { memory: '1Gi' }
    });
    expect(
      withQuantity({ limits: { memory: '1Gi' } }, 'limits', 'memory', '')
    ).toBeNull();
    expect(both).toEqual({ requests: { cpu: '1' }, limits: { memory: '1Gi' } });
  });

  it('starts from nothing when the value is not an object', () => {
    expect(withQuantity('junk', 'requests', 'cpu', '250m')).toEqual({
      requests: { cpu: '250m' }
    });
    expect(hasExecutionLimits(undefined, undefined)).toBe(false);
    expect(hasExecutionLimits(0, undefined)).toBe(true);
    expect(hasExecutionLimits(undefined, {})).toBe(false);
  });
});

describe('edits of the execution fields', () => {
  it("writes a step's timeout and resources into the file, and null removes them", () => {
    const original = pipeline();
    const resources = withQuantity(
      original.steps.a.resources,
      'limits',
      'memory',
      '512Mi'
    );
    const edited = updateStep(original, 'a', { timeout: 120, resources });
    const saved = JSON.parse(serializePipeline(edited));
    expect(saved.steps.a.timeout).toBe(120);
    expect(saved.steps.a.resources).toEqual({
      limits: { 'nvidia.com/gpu': '1', memory: '512Mi' }
    });
    expect(original.steps.a.timeout).toBeUndefined(); // the argument is untouched

    const cleared = updateStep(edited, 'a', { timeout: null, resources: null });
    expect('timeout' in cleared.steps.a).toBe(false);
    expect('resources' in cleared.steps.a).toBe(false);
    expect(cleared.steps.a.title).toBe('A');
  });

  it("sets and removes the pipeline's step_timeout and step_resources, keeping other settings", () => {
    const edited = updatePipeline(pipeline(), {
      settings: {
        step_timeout: 3600,
        step_resources: withQuantity(undefined, 'requests', 'cpu', '500m')
      }
    });
    expect(edited.settings).toEqual({
      auto_eviction: false,
      data_passing_memory_size: '1GB',
      max_steps_parallelism: 0,
      step_timeout: 3600,
      step_resources: { requests: { cpu: '500m' } }
    });
    const cleared = updatePipeline(edited, {
      settings: { step_timeout: null }
    });
    expect('step_timeout' in cleared.settings).toBe(false);
    expect(cleared.settings.step_resources).toEqual({
      requests: { cpu: '500m' }
    });
  });
});
