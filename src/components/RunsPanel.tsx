/**
 * The run history section of the sidebar: runs, newest first (of every
 * pipeline, or only the current one), with status, duration and progress;
 * a run unfolds into its steps, each with its status, duration and log.
 */
import { stopIcon } from '@jupyterlab/ui-components';
import { ISignal } from '@lumino/signaling';
import React, { useState } from 'react';

import { IRunsModel } from '../tokens';
import { baseName } from '../model/paths';
import {
  IRunState,
  IStepRunState,
  elapsedMs,
  formatDuration,
  isActive,
  isJobRun,
  statusLabel
} from '../model/runState';
import { modeLabel, useElapsed } from './RunBar';
import { useSignal } from './useSignal';

/** What the panel's buttons do. */
export interface IRunsPanelActions {
  /** Load a run's steps. */
  fetch(runId: string): void;
  cancel(runId: string): void;
  showLog(runId: string, step: IStepRunState): void;
  openPipeline(path: string): void;
  /** Open the pipeline showing this run's statuses on its canvas. */
  showOnCanvas?(run: IRunState): void;
}

/** How many runs the panel lists. */
const MAX_RUNS = 50;

function StatusBadge(props: { status: string; title?: string }): JSX.Element {
  return (
    <span
      className={`orchest-lab-StatusBadge orchest-lab-RunStatus--${props.status.toLowerCase()}`}
      title={props.title}
    >
      {statusLabel(props.status as IRunState['status'])}
    </span>
  );
}

function StepRow(props: {
  run: IRunState;
  step: IStepRunState;
  actions: IRunsPanelActions;
}): JSX.Element {
  const { run, step, actions } = props;
  const duration = step.finishedAt
    ? formatDuration(elapsedMs(step.startedAt, step.finishedAt))
    : '';
  const detail = step.failure
    ? `${step.failure.name}: ${step.failure.message}`
    : (step.reason ?? '');
  return (
    <li
      className="orchest-lab-RunStep"
      data-step-uuid={step.uuid}
      data-run-status={step.status}
    >
      <StatusBadge status={step.status} title={detail} />
      <span className="orchest-lab-RunStep-title" title={step.filePath}>
        {step.title || step.uuid}
      </span>
      <span className="orchest-lab-RunStep-duration">{duration}</span>
      <button
        className="jp-Button jp-mod-minimal orchest-lab-LinkButton orchest-lab-RunStep-log"
        disabled={step.status === 'PENDING' || step.status === 'SKIPPED'}
        onClick={() => actions.showLog(run.id, step)}
      >
        Log
      </button>
      {detail && <div className="orchest-lab-RunStep-detail">{detail}</div>}
    </li>
  );
}

function RunItem(props: {
  run: IRunState;
  actions: IRunsPanelActions;
}): JSX.Element {
  const { run, actions } = props;
  const [open, setOpen] = useState(false);
  const active = isActive(run);
  const elapsed = useElapsed(run.startedAt, run.finishedAt, active && open);
  const when = run.createdAt ? new Date(run.createdAt) : null;
  const toggle = () => {
    if (!open && !run.complete) {
      actions.fetch(run.id);
    }
    setOpen(!open);
  };
  return (
    <li
      className={`orchest-lab-RunItem${open ? ' orchest-lab-mod-open' : ''}`}
      data-run-id={run.id}
      data-run-status={run.status}
    >
      <div className="orchest-lab-RunItem-header">
        <button
          className="orchest-lab-RunItem-toggle"
          aria-expanded={open}
          onClick={toggle}
          title={`Run ${run.id}`}
        >
          <span className="orchest-lab-RunItem-caret">{open ? '▾' : '▸'}</span>
          <span className="orchest-lab-RunItem-name">
            {run.pipelineName || baseName(run.pipelinePath)}
          </span>
          <StatusBadge status={run.status} title={run.reason ?? ''} />
        </button>
        {active && (
          <button
            className="jp-Button jp-mod-minimal orchest-lab-RunItem-cancel"
            title="Cancel the run"
            aria-label="Cancel run"
            onClick={() => actions.cancel(run.id)}
          >
            <stopIcon.react tag="span" />
          </button>
        )}
      </div>
      <div className="orchest-lab-RunItem-meta">
        {when && (
          <span title={when.toISOString()}>{when.toLocaleString()}</span>
        )}
        {run.mode && <span>{modeLabel(run.mode)}</span>}
        <span>
          {run.progress.done}/{run.progress.total} steps
        </span>
        {elapsed && <span>{elapsed}</span>}
      </div>
      {open && (
        <div className="orchest-lab-RunItem-body">
          <button
            className="jp-Button jp-mod-minimal orchest-lab-LinkButton"
            onClick={() => actions.openPipeline(run.pipelinePath)}
          >
            Open {run.pipelinePath}
          </button>
          {actions.showOnCanvas && !isJobRun(run) && (
            <button
              className="jp-Button jp-mod-minimal orchest-lab-LinkButton orchest-lab-RunItem-showOnCanvas"
              title="Open the pipeline with the statuses and logs of this run on its canvas"
              onClick={() => actions.showOnCanvas!(run)}
            >
              Show on canvas
            </button>
          )}
          {run.reason && (
            <div className="orchest-lab-RunItem-reason">{run.reason}</div>
          )}
          <ul className="orchest-lab-RunSteps">
            {run.stepOrder.map(uuid => (
              <StepRow
                key={uuid}
                run={run}
                step={run.steps[uuid]}
                actions={actions}
              />
            ))}
          </ul>
          {!run.complete && (
            <div className="orchest-lab-Panel-empty">Loading the steps…</div>
          )}
        </div>
      )}
    </li>
  );
}

/** The run history. */
export function RunsPanel(props: {
  runs: IRunsModel;
  /** The pipeline of the current editor, for the filter. */
  currentPipeline: () => string | null;
  currentChanged: ISignal<unknown, unknown>;
  actions: IRunsPanelActions;
}): JSX.Element {
  const { runs, actions } = props;
  useSignal(runs.changed);
  useSignal(props.currentChanged);
  const [onlyCurrent, setOnlyCurrent] = useState(false);
  const current = props.currentPipeline();
  const shown = runs.runs
    .filter(run => !onlyCurrent || run.pipelinePath === current)
    .slice(0, MAX_RUNS);
  return (
    <div className="orchest-lab-RunsPanel">
      <label className="orchest-lab-Checkbox orchest-lab-RunsPanel-filter">
        <input
          type="checkbox"
          checked={onlyCurrent}
          disabled={current === null}
          onChange={event => setOnlyCurrent(event.target.checked)}
        />
        Only {current ? baseName(current) : 'the current pipeline'}
      </label>
      {shown.length === 0 && (
        <p className="orchest-lab-Panel-empty">No runs yet.</p>
      )}
      <ul className="orchest-lab-RunList">
        {shown.map(run => (
          <RunItem key={run.id} run={run} actions={actions} />
        ))}
      </ul>
    </div>
  );
}
