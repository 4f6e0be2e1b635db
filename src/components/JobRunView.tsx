/**
 * A run of a job: the pipeline it ran, drawn read-only with the run's step
 * statuses (the editor's canvas and nodes), and its steps with their
 * durations, logs and output notebooks.
 */
import { Signal } from '@lumino/signaling';
import React, { useMemo } from 'react';

import type { IIssue } from '../api';
import { JobRunModel } from '../model/JobRunModel';
import { SelectionModel } from '../model/SelectionModel';
import {
  IStepRunState,
  elapsedMs,
  formatDuration,
  isActive,
  statusLabel
} from '../model/runState';
import { GraphRequest, PipelineGraph } from './PipelineGraph';
import { useElapsed } from './RunBar';
import { useSignal } from './useSignal';

/** What the run's buttons do. */
export interface IJobRunActions {
  showLog(runId: string, stepUuid: string, title: string): void;
  /** Open a notebook of the jobs drive (read-only). */
  openNotebook(path: string): void;
  close(): void;
}

const NO_ISSUES: ReadonlyMap<string, readonly IIssue[]> = new Map();

function StepItem(props: {
  model: JobRunModel;
  uuid: string;
  title: string;
  step: IStepRunState | undefined;
  selected: boolean;
  actions: IJobRunActions;
}): JSX.Element {
  const { model, uuid, step, actions } = props;
  const status = step?.status ?? 'PENDING';
  const duration = step?.finishedAt
    ? formatDuration(elapsedMs(step.startedAt, step.finishedAt))
    : '';
  const notebook = model.notebookPath(uuid);
  const detail = step?.failure
    ? `${step.failure.name}: ${step.failure.message}`
    : (step?.reason ?? '');
  return (
    <li
      className={`orchest-lab-JobRunStep${props.selected ? ' jp-mod-selected' : ''}`}
      data-step-uuid={uuid}
      data-run-status={status}
    >
      <span
        className={`orchest-lab-StatusBadge orchest-lab-RunStatus--${status.toLowerCase()}`}
      >
        {statusLabel(status)}
      </span>
      <span
        className="orchest-lab-JobRunStep-title"
        title={model.stepFile(uuid)}
      >
        {props.title}
      </span>
      <span className="orchest-lab-JobRunStep-file">
        {model.stepFile(uuid)}
      </span>
      <span className="orchest-lab-JobRunStep-duration">{duration}</span>
      <button
        type="button"
        className="jp-Button jp-mod-minimal orchest-lab-LinkButton"
        disabled={!step || status === 'PENDING' || status === 'SKIPPED'}
        onClick={() => actions.showLog(model.runId, uuid, props.title)}
      >
        Log
      </button>
      {notebook ? (
        <button
          type="button"
          className="jp-Button jp-mod-minimal orchest-lab-LinkButton"
          title="Open the notebook as the run left it, with its outputs (read-only)"
          onClick={() => actions.openNotebook(notebook)}
        >
          Notebook
        </button>
      ) : (
        <span />
      )}
      {detail && <div className="orchest-lab-JobRunStep-detail">{detail}</div>}
    </li>
  );
}

/** A run of a job. */
export function JobRunView(props: {
  model: JobRunModel;
  actions: IJobRunActions;
}): JSX.Element {
  const { model, actions } = props;
  useSignal(model.changed);
  useSignal(model.pipeline.changed);
  const selection = useMemo(() => new SelectionModel(), [model]);
  useSignal(selection.changed);
  const requests = useMemo(
    () => new Signal<unknown, GraphRequest>(model),
    [model]
  );
  const run = model.run;
  const elapsed = useElapsed(
    run?.startedAt ?? null,
    run?.finishedAt ?? null,
    !!run && isActive(run)
  );
  const steps = model.pipeline.steps;
  const order =
    run?.complete && run.stepOrder.length > 0
      ? run.stepOrder
      : steps.map(step => step.uuid);
  const title = (uuid: string) =>
    run?.steps[uuid]?.title || model.pipeline.getStep(uuid)?.title || uuid;
  const selected = new Set(selection.steps);
  return (
    <section
      className="orchest-lab-JobRun"
      data-run-id={model.runId}
      data-status={run?.status ?? ''}
      aria-label={`Run ${model.runId}`}
    >
      <header className="orchest-lab-JobRun-header">
        <h3>Run {model.runId.slice(0, 8)}</h3>
        {run && (
          <span
            className={`orchest-lab-StatusBadge orchest-lab-RunStatus--${run.status.toLowerCase()}`}
          >
            {statusLabel(run.status)}
          </span>
        )}
        {run && (
          <span className="orchest-lab-JobRun-progress">
            {run.progress.done} of {run.progress.total} steps
            {elapsed ? ` · ${elapsed}` : ''}
          </span>
        )}
        <span className="orchest-lab-Toolbar-gap" />
        <button
          type="button"
          className="jp-Button jp-mod-minimal orchest-lab-LinkButton"
          onClick={() => actions.close()}
        >
          Close run
        </button>
      </header>
      {run?.reason && (
        <div className="orchest-lab-JobRun-reason">{run.reason}</div>
      )}
      {model.error && (
        <div className="orchest-lab-Panel-error" role="alert">
          {model.error}
        </div>
      )}
      <div className="orchest-lab-JobRun-graph">
        <PipelineGraph
          steps={steps}
          edges={model.pipeline.edges}
          issues={NO_ISSUES}
          allIssues={[]}
          selection={selection}
          runSteps={run?.steps ?? null}
          requests={requests}
          editable={false}
          emptyMessage={
            model.loaded ? 'The run has no steps.' : 'Loading the pipeline…'
          }
          onOpenStep={uuid => {
            const notebook = model.notebookPath(uuid);
            if (notebook) {
              actions.openNotebook(notebook);
            } else {
              actions.showLog(model.runId, uuid, title(uuid));
            }
          }}
        />
      </div>
      <ul className="orchest-lab-JobRunSteps">
        {order.map(uuid => (
          <StepItem
            key={uuid}
            model={model}
            uuid={uuid}
            title={title(uuid)}
            step={run?.steps[uuid]}
            selected={selected.has(uuid)}
            actions={actions}
          />
        ))}
      </ul>
    </section>
  );
}
