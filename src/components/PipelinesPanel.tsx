/**
 * The Pipelines section of the sidebar: every pipeline under the server
 * root with the state of its latest run; open, run and cancel from there.
 */
import { runIcon, stopIcon } from '@jupyterlab/ui-components';
import React from 'react';

import type { IPipelineSummary } from '../api';
import { PipelineListModel } from '../model/PipelineListModel';
import { IRunsModel } from '../tokens';
import { IRunState, isActive, statusLabel } from '../model/runState';
import { useSignal } from './useSignal';

/** What the panel's buttons do. */
export interface IPipelinesPanelActions {
  open(path: string): void;
  run(path: string): void;
  cancel(runId: string): void;
}

function RunState(props: { run: IRunState | undefined }): JSX.Element {
  const { run } = props;
  if (!run) {
    return <span className="orchest-lab-PipelineItem-never">never run</span>;
  }
  const status = run.status.toLowerCase();
  return (
    <span
      className={`orchest-lab-StatusBadge orchest-lab-RunStatus--${status}`}
      data-run-status={run.status}
      title={run.reason ?? ''}
    >
      {statusLabel(run.status)}
      {isActive(run) && run.progress.total > 0
        ? ` ${run.progress.done}/${run.progress.total}`
        : ''}
    </span>
  );
}

function PipelineItem(props: {
  pipeline: IPipelineSummary;
  run: IRunState | undefined;
  actions: IPipelinesPanelActions;
}): JSX.Element {
  const { pipeline, run, actions } = props;
  const active = run !== undefined && isActive(run);
  return (
    <li
      className="orchest-lab-PipelineItem"
      data-path={pipeline.path}
      title={pipeline.error ?? pipeline.path}
    >
      <button
        className="orchest-lab-PipelineItem-open"
        onClick={() => actions.open(pipeline.path)}
        title={`Open ${pipeline.path}`}
      >
        <span className="orchest-lab-PipelineItem-name">
          {pipeline.name || pipeline.path}
        </span>
        <span className="orchest-lab-PipelineItem-detail">
          {pipeline.error ? (
            <span className="orchest-lab-PipelineItem-error">
              Cannot be read: {pipeline.error}
            </span>
          ) : (
            <>
              <RunState run={run} />
              <span className="orchest-lab-PipelineItem-path">
                {pipeline.step_count}{' '}
                {pipeline.step_count === 1 ? 'step' : 'steps'} · {pipeline.path}
              </span>
            </>
          )}
        </span>
      </button>
      <button
        className="jp-Button jp-mod-minimal orchest-lab-PipelineItem-run"
        title={`Run every step of ${pipeline.name || pipeline.path}`}
        aria-label="Run"
        disabled={pipeline.error !== null || active}
        onClick={() => actions.run(pipeline.path)}
      >
        <runIcon.react tag="span" />
      </button>
      <button
        className="jp-Button jp-mod-minimal orchest-lab-PipelineItem-cancel"
        title="Cancel the run"
        aria-label="Cancel"
        disabled={!active}
        onClick={() => run && actions.cancel(run.id)}
      >
        <stopIcon.react tag="span" />
      </button>
    </li>
  );
}

/** The Pipelines panel. */
export function PipelinesPanel(props: {
  list: PipelineListModel;
  runs: IRunsModel;
  actions: IPipelinesPanelActions;
}): JSX.Element {
  const { list, runs, actions } = props;
  useSignal(list.changed);
  useSignal(runs.changed);
  return (
    <div className="orchest-lab-PipelinesPanel">
      {list.error && (
        <div className="orchest-lab-Panel-error" role="alert">
          Could not list the pipelines: {list.error}
        </div>
      )}
      {list.loaded && list.pipelines.length === 0 && (
        <p className="orchest-lab-Panel-empty">
          No pipelines yet: File &gt; New &gt; Pipeline creates one.
        </p>
      )}
      {!list.loaded && list.loading && (
        <p className="orchest-lab-Panel-empty">Looking for pipelines…</p>
      )}
      <ul className="orchest-lab-PipelineList">
        {list.pipelines.map(pipeline => (
          <PipelineItem
            key={pipeline.path}
            pipeline={pipeline}
            run={runs.latest(pipeline.path)}
            actions={actions}
          />
        ))}
      </ul>
    </div>
  );
}
