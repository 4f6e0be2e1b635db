/**
 * The pipeline's latest run above the canvas: status, progress (n of m
 * steps, as a bar too), elapsed time and, when it ended badly, why.
 */
import React, { useEffect, useState } from 'react';

import {
  IRunState,
  elapsedMs,
  formatDuration,
  isActive,
  runMeter,
  statusLabel
} from '../model/runState';

/** How a run's mode is described. */
export function modeLabel(mode: string): string {
  switch (mode) {
    case 'full':
      return 'all steps';
    case 'selection':
      return 'selected steps';
    case 'incoming':
      return 'selected steps and their ancestors';
    case 'downstream':
      return 'selected steps and their descendants';
    case 'outdated':
      return 'outdated steps';
    default:
      return mode;
  }
}

/** The time since `startedAt`, refreshed every second while `live`. */
export function useElapsed(
  startedAt: string | null,
  finishedAt: string | null,
  live: boolean
): string {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!live) {
      return;
    }
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [live]);
  return formatDuration(elapsedMs(startedAt, finishedAt, now));
}

/** Properties of {@link RunBar}. */
export interface IRunBarProps {
  run: IRunState;
  /** Whether the run is a past one the user chose (not the latest). */
  past?: boolean;
  onShowRuns?: () => void;
  onDismiss?: () => void;
  /** Back to the latest run (shown for a past run). */
  onShowLatest?: () => void;
  /** How many steps' outputs are not up to date. */
  outdatedCount?: number;
  /** Run those steps (offered once the run ended, when there are some). */
  onRunOutdated?: () => void;
}

/** The run status bar. */
export function RunBar(props: IRunBarProps): JSX.Element {
  const { run } = props;
  const active = isActive(run);
  const elapsed = useElapsed(run.startedAt, run.finishedAt, active);
  const { done, total } = run.progress;
  const failed = run.stepOrder
    .map(uuid => run.steps[uuid])
    .filter(step => step?.status === 'FAILURE');
  const status = run.status.toLowerCase();
  const meter = runMeter(run);
  return (
    <div
      className={`orchest-lab-RunBar orchest-lab-RunStatus--${status}${props.past ? ' orchest-lab-RunBar--past' : ''}`}
      data-run-id={run.id}
      data-run-status={run.status}
      data-past={props.past ? 'true' : undefined}
      role="status"
    >
      {props.past && (
        <span className="orchest-lab-RunBar-past">
          Past run
          {run.createdAt
            ? ` of ${new Date(run.createdAt).toLocaleString()}`
            : ''}
        </span>
      )}
      <span
        className={`orchest-lab-StatusBadge orchest-lab-RunStatus--${status}`}
      >
        {statusLabel(run.status)}
      </span>
      <span className="orchest-lab-RunBar-progress">
        {total > 0 ? `${done} of ${total} steps` : 'Preparing…'}
      </span>
      <progress
        className={`orchest-lab-RunBar-meter${meter.failed ? ' orchest-lab-RunBar-meter--failed' : ''}`}
        max={meter.max}
        value={meter.value}
        aria-label="Run progress"
        aria-valuetext={meter.text}
      />
      {elapsed && <span className="orchest-lab-RunBar-elapsed">{elapsed}</span>}
      {run.mode && (
        <span className="orchest-lab-RunBar-mode">{modeLabel(run.mode)}</span>
      )}
      {failed.length > 0 && (
        <span className="orchest-lab-RunBar-failure">
          {failed
            .map(step =>
              step.failure
                ? `${step.title}: ${step.failure.name}: ${step.failure.message}`
                : step.title
            )
            .join('; ')}
        </span>
      )}
      {!failed.length && run.reason && !active && (
        <span className="orchest-lab-RunBar-reason">{run.reason}</span>
      )}
      <span className="orchest-lab-RunBar-spacer" />
      {props.onRunOutdated && !active && (props.outdatedCount ?? 0) > 0 && (
        <button
          className="jp-Button jp-mod-minimal orchest-lab-LinkButton orchest-lab-RunBar-outdated"
          title="Run the steps whose outputs are not up to date (their file, parameters, environment or parents changed, or they never succeeded)"
          onClick={props.onRunOutdated}
        >
          Run outdated ({props.outdatedCount})
        </button>
      )}
      {props.onShowRuns && (
        <button
          className="jp-Button jp-mod-minimal orchest-lab-LinkButton"
          onClick={props.onShowRuns}
        >
          Run history
        </button>
      )}
      {props.past && props.onShowLatest && (
        <button
          className="jp-Button jp-mod-minimal orchest-lab-LinkButton orchest-lab-RunBar-latest"
          onClick={props.onShowLatest}
        >
          Back to latest run
        </button>
      )}
      {props.onDismiss && !active && !props.past && (
        <button
          className="jp-Button jp-mod-minimal orchest-lab-IconButton"
          title="Hide the statuses of this run"
          aria-label="Hide run statuses"
          onClick={props.onDismiss}
        >
          ×
        </button>
      )}
    </div>
  );
}
