/**
 * Helpers over validation issues: grouping by step, counting, ordering.
 */
import type { IIssue, Severity } from '../api';
import type { IJSONParseError } from './jsonError';

/** The issue shown for text that is not valid JSON. */
export function parseErrorIssue(error: IJSONParseError): IIssue {
  return {
    severity: 'error',
    code: 'invalid-json',
    message: `Invalid JSON: ${error.message}`,
    step_uuid: null,
    pointer: '',
    line: error.line,
    column: error.column
  };
}

/** The steps an issue is about: its step and every related step, once each. */
export function issueSteps(issue: IIssue): string[] {
  const steps = issue.step_uuid ? [issue.step_uuid] : [];
  for (const uuid of issue.related_step_uuids ?? []) {
    if (!steps.includes(uuid)) {
      steps.push(uuid);
    }
  }
  return steps;
}

/**
 * Issues grouped by the steps they are about (an issue about a cycle is
 * listed under every step of the cycle; issues without a step are left out).
 */
export function issuesByStep(issues: readonly IIssue[]): Map<string, IIssue[]> {
  const byStep = new Map<string, IIssue[]>();
  for (const issue of issues) {
    for (const uuid of issueSteps(issue)) {
      const list = byStep.get(uuid);
      if (list) {
        list.push(issue);
      } else {
        byStep.set(uuid, [issue]);
      }
    }
  }
  return byStep;
}

/** A message ready to show as a sentence (first letter in upper case). */
export function displayMessage(message: string): string {
  return message.charAt(0).toUpperCase() + message.slice(1);
}

/** The worst severity among issues, or null when there are none. */
export function worstSeverity(issues: readonly IIssue[]): Severity | null {
  if (issues.some(issue => issue.severity === 'error')) {
    return 'error';
  }
  return issues.length > 0 ? 'warning' : null;
}

/** "2 errors, 1 warning"; '' when there are no issues. */
export function summarizeIssues(issues: readonly IIssue[]): string {
  const errors = issues.filter(issue => issue.severity === 'error').length;
  const warnings = issues.length - errors;
  const parts: string[] = [];
  if (errors > 0) {
    parts.push(`${errors} ${errors === 1 ? 'error' : 'errors'}`);
  }
  if (warnings > 0) {
    parts.push(`${warnings} ${warnings === 1 ? 'warning' : 'warnings'}`);
  }
  return parts.join(', ');
}

/** Errors before warnings; otherwise the server's order is kept. */
export function sortIssues(issues: readonly IIssue[]): IIssue[] {
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort((a, b) => {
      const rank = (issue: IIssue) => (issue.severity === 'error' ? 0 : 1);
      return rank(a.issue) - rank(b.issue) || a.index - b.index;
    })
    .map(({ issue }) => issue);
}
