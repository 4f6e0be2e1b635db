/**
 * The page of a job in the Jobs panel: what the job is (pipeline, schedule,
 * combinations, variables, retention, webhook and its deliveries), its runs
 * newest first a page at a time (parameters, status, duration), and the
 * run opened.
 */
import React from 'react';

import type { IJob, IJobRunSummary, JobStatus } from '../api/jobTypes';
import { JobsPanelModel } from '../model/JobsPanelModel';
import { describeRunParameters } from '../model/jobForm';
import {
  describeSchedule,
  formatTime,
  jobStatusLabel
} from '../model/jobFormat';
import { isActive, statusLabel } from '../model/runState';
import { IJobRunActions, JobRunView } from './JobRunView';
import { useElapsed } from './RunBar';
import { useSignal } from './useSignal';

/** What the page's buttons do. */
export interface IJobPageActions extends Omit<IJobRunActions, 'close'> {
  openPipeline(path: string): void;
}

/** A job's status as a badge. */
export function JobStatusBadge(props: { status: JobStatus }): JSX.Element {
  return (
    <span
      className={`orchest-lab-StatusBadge orchest-lab-JobStatus--${props.status.toLowerCase()}`}
    >
      {jobStatusLabel(props.status)}
    </span>
  );
}

function RunRow(props: {
  run: IJobRunSummary;
  open: boolean;
  panel: JobsPanelModel;
  job: IJob;
}): JSX.Element {
  const { run, panel, job } = props;
  const active = isActive(run);
  const duration = useElapsed(
    run.started_at ?? null,
    run.finished_at ?? null,
    active
  );
  const busy = panel.busy(panel.selected?.id ?? '', `run:${run.id}`);
  return (
    <tr
      className={`orchest-lab-JobRunRow${props.open ? ' jp-mod-selected' : ''}`}
      data-run-id={run.id}
      data-status={run.status}
      aria-selected={props.open}
    >
      <td>{formatTime(run.created_at)}</td>
      <td className="orchest-lab-JobRunRow-parameters">
        {describeRunParameters(run.parameters, {
          grid: job.parameters,
          stepTitle: uuid => panel.stepTitle(uuid)
        }) || "the pipeline's values"}
      </td>
      <td>
        <span
          className={`orchest-lab-StatusBadge orchest-lab-RunStatus--${run.status.toLowerCase()}`}
          title={run.reason ?? undefined}
        >
          {statusLabel(run.status)}
        </span>
      </td>
      <td>{duration}</td>
      <td>
        {run.progress ? `${run.progress.done}/${run.progress.total}` : ''}
      </td>
      <td className="orchest-lab-JobRunRow-actions">
        <button
          type="button"
          className="jp-Button jp-mod-minimal orchest-lab-LinkButton"
          onClick={() => void panel.openRun(props.open ? null : run.id)}
        >
          {props.open ? 'Close' : 'Open'}
        </button>
        <button
          type="button"
          className="jp-Button jp-mod-minimal orchest-lab-LinkButton"
          disabled={busy}
          title={active ? 'Cancel this run' : 'Delete this run and its files'}
          onClick={() => void panel.deleteRun(run.id)}
        >
          {active ? 'Cancel' : 'Delete'}
        </button>
      </td>
    </tr>
  );
}

/** The job's runs, a page at a time. */
function RunsTable(props: { panel: JobsPanelModel; job: IJob }): JSX.Element {
  const { panel, job } = props;
  const runs = panel.runs;
  useSignal(runs ? runs.changed : panel.changed);
  if (!runs) {
    return <></>;
  }
  const first = runs.total === 0 ? 0 : runs.offset + 1;
  const last = runs.offset + runs.runs.length;
  return (
    <div
      className="orchest-lab-JobRuns"
      data-total={runs.total}
      data-offset={runs.offset}
    >
      <div className="orchest-lab-JobRuns-header">
        <h3>Runs</h3>
        <span className="orchest-lab-JobRuns-range">
          {runs.loaded
            ? `${first}–${last} of ${runs.total}, newest first`
            : 'Loading…'}
        </span>
        <button
          type="button"
          className="jp-Button jp-mod-minimal orchest-lab-LinkButton"
          disabled={!runs.hasPrevious}
          onClick={() => void runs.previous()}
        >
          Newer
        </button>
        <button
          type="button"
          className="jp-Button jp-mod-minimal orchest-lab-LinkButton"
          disabled={!runs.hasNext}
          onClick={() => void runs.next()}
        >
          Older
        </button>
      </div>
      {runs.error && (
        <div className="orchest-lab-Panel-error" role="alert">
          Could not list the runs: {runs.error}
        </div>
      )}
      {runs.loaded && runs.runs.length === 0 ? (
        <p className="orchest-lab-Panel-empty">
          No runs yet
          {job.next_run_at
            ? `: the next is ${formatTime(job.next_run_at)}`
            : ''}
          .
        </p>
      ) : (
        <table className="orchest-lab-JobsTable orchest-lab-JobRunsTable">
          <thead>
            <tr>
              <th>Made</th>
              <th>Parameters</th>
              <th>Status</th>
              <th>Duration</th>
              <th>Steps</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {runs.runs.map(run => (
              <RunRow
                key={run.id}
                run={run}
                panel={panel}
                open={panel.run?.runId === run.id}
                job={job}
              />
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** What the job is. */
function JobDetails(props: {
  job: IJob;
  actions: IJobPageActions;
}): JSX.Element {
  const { job, actions } = props;
  const env = Object.keys(job.env_variables ?? {});
  const deliveries = job.deliveries ?? [];
  return (
    <dl className="orchest-lab-JobDetails">
      <dt>Pipeline</dt>
      <dd>
        <button
          type="button"
          className="jp-Button jp-mod-minimal orchest-lab-LinkButton"
          title="Open the pipeline (as it is now, not the job's snapshot)"
          onClick={() => actions.openPipeline(job.pipeline_path)}
        >
          {job.pipeline_path}
        </button>
      </dd>
      <dt>Schedule</dt>
      <dd>{describeSchedule(job.schedule)}</dd>
      <dt>Made</dt>
      <dd>{formatTime(job.created_at)}</dd>
      <dt>Each time</dt>
      <dd>
        {job.combinations?.length ?? 1}{' '}
        {(job.combinations?.length ?? 1) === 1 ? 'run' : 'runs'}
      </dd>
      {env.length > 0 && (
        <>
          <dt>Variables</dt>
          <dd>{env.join(', ')}</dd>
        </>
      )}
      <dt>Keeps</dt>
      <dd>
        {job.max_retained_runs
          ? `the ${job.max_retained_runs} newest runs`
          : 'every run'}
      </dd>
      {job.webhook && (
        <>
          <dt>Failure webhook</dt>
          <dd>
            {job.webhook.url}
            {job.webhook.has_secret ? ' (signed)' : ''}
            {deliveries.length > 0 &&
              ` · last call ${deliveries[deliveries.length - 1].delivered ? 'delivered' : 'not delivered'}`}
          </dd>
        </>
      )}
    </dl>
  );
}

/** The page of the selected job. */
export function JobPage(props: {
  panel: JobsPanelModel;
  job: IJob;
  actions: IJobPageActions;
}): JSX.Element {
  const { panel, job, actions } = props;
  const run = panel.run;
  return (
    <section
      className="orchest-lab-JobPage"
      data-job-id={job.id}
      aria-label={`Job ${job.name}`}
    >
      <header className="orchest-lab-JobPage-header">
        <h2>{job.name}</h2>
        <JobStatusBadge status={job.status} />
        <span className="orchest-lab-Toolbar-gap" />
        <button
          type="button"
          className="jp-Button jp-mod-minimal orchest-lab-LinkButton"
          onClick={() => panel.select(null)}
        >
          Close job
        </button>
      </header>
      <JobDetails job={job} actions={actions} />
      <RunsTable panel={panel} job={job} />
      {run && (
        <JobRunView
          key={run.runId}
          model={run}
          actions={{ ...actions, close: () => void panel.openRun(null) }}
        />
      )}
    </section>
  );
}
