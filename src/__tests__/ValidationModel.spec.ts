import type { IIssue, IPipelineSource, IValidationResult } from '../api';
import { ValidationModel } from '../model/ValidationModel';

const CYCLE: IIssue = {
  severity: 'error',
  code: 'cycle',
  message: 'steps form a cycle',
  step_uuid: 'a',
  pointer: '/steps/a/incoming_connections'
};

/** A validator whose answers the test releases one by one. */
function controlledValidator() {
  const pending: {
    source: IPipelineSource;
    resolve: (result: IValidationResult) => void;
    reject: (reason: Error) => void;
    signal: AbortSignal;
  }[] = [];
  const validate = (source: IPipelineSource, signal: AbortSignal) =>
    new Promise<IValidationResult>((resolve, reject) => {
      pending.push({ source, resolve, reject, signal });
    });
  return { validate, pending };
}

describe('ValidationModel', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('debounces scheduled validations to the last one', async () => {
    const { validate, pending } = controlledValidator();
    const model = new ValidationModel({ validate, delay: 300 });
    model.schedule({ content: '1' });
    jest.advanceTimersByTime(200);
    model.schedule({ content: '2' });
    jest.advanceTimersByTime(200);
    expect(pending).toHaveLength(0);
    expect(model.status).toBe('pending');
    jest.advanceTimersByTime(100);
    expect(pending.map(call => call.source.content)).toEqual(['2']);
    pending[0].resolve({ valid: false, issues: [CYCLE] });
    await Promise.resolve();
    expect(model.status).toBe('invalid');
    expect(model.issues).toEqual([CYCLE]);
  });

  it('ignores a stale answer and aborts its request', async () => {
    const { validate, pending } = controlledValidator();
    const model = new ValidationModel({ validate });
    const first = model.validate({ content: 'old' });
    const second = model.validate({ content: 'new' });
    expect(pending[0].signal.aborted).toBe(true);
    pending[1].resolve({ valid: true, issues: [] });
    pending[0].resolve({ valid: false, issues: [CYCLE] });
    await Promise.all([first, second]);
    expect(model.status).toBe('valid');
    expect(model.issues).toEqual([]);
  });

  it('shows local issues and the reason when the server cannot validate', async () => {
    const { validate, pending } = controlledValidator();
    const local: IIssue = {
      ...CYCLE,
      code: 'invalid-json',
      step_uuid: null,
      line: 1,
      column: 2
    };
    const model = new ValidationModel({ validate, localIssues: () => [local] });
    const done = model.validate({ content: '{' });
    pending[0].reject(new Error('Could not reach the Jupyter server'));
    await done;
    expect(model.status).toBe('failed');
    expect(model.error).toBe('Could not reach the Jupyter server');
    expect(model.issues).toEqual([local]);
  });

  it('signals changes and stops after dispose', async () => {
    const { validate, pending } = controlledValidator();
    const model = new ValidationModel({ validate });
    const statuses: string[] = [];
    model.changed.connect(() => statuses.push(model.status));
    const done = model.validate({ content: '{}' });
    pending[0].resolve({ valid: true, issues: [] });
    await done;
    expect(statuses).toEqual(['pending', 'valid']);
    model.schedule({ content: 'x' });
    model.dispose();
    jest.advanceTimersByTime(1000);
    expect(pending).toHaveLength(1);
    expect(model.isDisposed).toBe(true);
  });
});
