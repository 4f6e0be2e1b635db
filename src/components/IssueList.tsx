/**
 * The validation panel under the canvas: a status line ("Valid pipeline",
 * "2 errors, 1 warning", ...) and the list of issues. Activating an issue
 * about a step selects that step; a JSON syntax error shows its line and
 * column and can open the file at that place.
 */
import React from 'react';

import type { IIssue } from '../api';
import { displayMessage, sortIssues, summarizeIssues } from '../model/issues';
import type { ValidationStatus } from '../model/ValidationModel';

/** Properties of {@link IssuePanel}. */
export interface IIssuePanelProps {
  status: ValidationStatus;
  issues: readonly IIssue[];
  /** Why the server could not validate, if it could not. */
  error: string | null;
  /** The title of a step, when the step exists. */
  stepTitle: (uuid: string) => string | undefined;
  /** Whether activating an issue does something. */
  canActivate: (issue: IIssue) => boolean;
  /** Called when the user clicks an issue (or presses Enter on it). */
  onActivate: (issue: IIssue) => void;
}

/** The one-line summary of the validation state. */
export function statusText(
  status: ValidationStatus,
  issues: readonly IIssue[]
): string {
  const summary = summarizeIssues(issues);
  switch (status) {
    case 'idle':
      return 'Not validated yet';
    case 'pending':
      return 'Validating…';
    case 'valid':
      return summary ? `Valid pipeline (${summary})` : 'Valid pipeline';
    case 'invalid':
      return `Invalid pipeline: ${summary || 'errors found'}`;
    case 'failed':
      return 'Could not validate';
  }
}

/** Where a JSON syntax error is, as `line:column`. */
export function issueLocation(issue: IIssue): string | null {
  if (typeof issue.line !== 'number') {
    return null;
  }
  return typeof issue.column === 'number'
    ? `${issue.line}:${issue.column}`
    : `${issue.line}`;
}

function IssueItem(props: {
  issue: IIssue;
  stepTitle: string | undefined;
  active: boolean;
  onActivate: () => void;
}) {
  const { issue, stepTitle, active, onActivate } = props;
  const location = issueLocation(issue);
  const severity = issue.severity === 'error' ? 'Error' : 'Warning';
  const interactive = active
    ? {
        role: 'button',
        tabIndex: 0,
        onClick: onActivate,
        onKeyDown: (event: React.KeyboardEvent) => {
          if (event.key === 'Enter' || event.key === ' ') {
            event.preventDefault();
            onActivate();
          }
        }
      }
    : {};
  return (
    <li
      className={`orchest-lab-Issue orchest-lab-Issue--${issue.severity}${active ? ' orchest-lab-mod-clickable' : ''}`}
      data-code={issue.code}
      data-step-uuid={issue.step_uuid ?? undefined}
      title={issue.pointer ? `${issue.code} at ${issue.pointer}` : issue.code}
      {...interactive}
    >
      <span className="orchest-lab-Issue-severity">{severity}</span>
      {stepTitle !== undefined && (
        <span className="orchest-lab-Issue-step">{stepTitle}</span>
      )}
      <span className="orchest-lab-Issue-message">
        {displayMessage(issue.message)}
      </span>
      {location && (
        <span
          className="orchest-lab-Issue-location"
          title={`Line ${issue.line}, column ${issue.column ?? '?'}`}
        >
          {location}
        </span>
      )}
    </li>
  );
}

/** The validation panel. */
export function IssuePanel(props: IIssuePanelProps): JSX.Element {
  const { status, issues, error, stepTitle, canActivate, onActivate } = props;
  const sorted = sortIssues(issues);
  return (
    <section
      className="orchest-lab-IssuePanel"
      aria-label="Pipeline validation"
    >
      <header className="orchest-lab-IssuePanel-header">
        <span
          className={`orchest-lab-ValidationStatus orchest-lab-ValidationStatus--${status}`}
          data-status={status}
          role="status"
        >
          {statusText(status, issues)}
        </span>
      </header>
      {error && (
        <div className="orchest-lab-IssuePanel-error" role="alert">
          The server could not validate this pipeline: {error}
        </div>
      )}
      <ul className="orchest-lab-IssueList" data-issue-count={sorted.length}>
        {sorted.map((issue, index) => (
          <IssueItem
            key={`${issue.code}:${issue.pointer}:${index}`}
            issue={issue}
            stepTitle={issue.step_uuid ? stepTitle(issue.step_uuid) : undefined}
            active={canActivate(issue)}
            onActivate={() => onActivate(issue)}
          />
        ))}
      </ul>
    </section>
  );
}
