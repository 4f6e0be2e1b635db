import type { IIssue } from '../api';
import {
  displayMessage,
  issuesByStep,
  parseErrorIssue,
  sortIssues,
  summarizeIssues,
  worstSeverity
} from '../model/issues';

function issue(partial: Partial<IIssue>): IIssue {
  return {
    severity: 'error',
    code: 'schema',
    message: 'm',
    step_uuid: null,
    pointer: '',
    ...partial
  };
}

describe('issues', () => {
  it('groups issues by step, including every step of a cycle', () => {
    const cycle = issue({
      code: 'cycle',
      step_uuid: 'a',
      related_step_uuids: ['a', 'b']
    });
    const missing = issue({ code: 'missing-file', step_uuid: 'a' });
    const document = issue({ code: 'schema' });
    const byStep = issuesByStep([cycle, missing, document]);
    expect(byStep.get('a')).toEqual([cycle, missing]);
    expect(byStep.get('b')).toEqual([cycle]);
    expect([...byStep.keys()]).toEqual(['a', 'b']);
  });

  it('summarizes and ranks severities', () => {
    const warning = issue({ severity: 'warning', message: 'w' });
    const error = issue({ message: 'e' });
    expect(summarizeIssues([error, warning, error])).toBe(
      '2 errors, 1 warning'
    );
    expect(summarizeIssues([warning])).toBe('1 warning');
    expect(summarizeIssues([])).toBe('');
    expect(worstSeverity([warning])).toBe('warning');
    expect(worstSeverity([warning, error])).toBe('error');
    expect(worstSeverity([])).toBeNull();
    expect(sortIssues([warning, error]).map(i => i.message)).toEqual([
      'e',
      'w'
    ]);
  });

  it('turns a parse error into an invalid-json issue with its location', () => {
    expect(
      parseErrorIssue({
        message: 'Trailing comma',
        offset: 9,
        line: 2,
        column: 4
      })
    ).toEqual({
      severity: 'error',
      code: 'invalid-json',
      message: 'Invalid JSON: Trailing comma',
      step_uuid: null,
      pointer: '',
      line: 2,
      column: 4
    });
  });

  it('capitalizes messages for display', () => {
    expect(displayMessage("step 'A': file 'a.py' does not exist")).toBe(
      "Step 'A': file 'a.py' does not exist"
    );
  });
});
