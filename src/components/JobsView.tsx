/**
 * The Jobs panel's React tree: every job (status, schedule, next run, last
 * result, run counts, disk use, and its actions), and the page of the job
 * selected. State lives in the models; this renders them and passes the
 * user's gestures on.
 */
import React from 'react';

import type { IJob } from '../api/jobTypes';
import { JobsPanelModel } from '../model/JobsPanelModel';
import {
  COUNTED,
  JobPanelAction,
  canAct,
  describeSchedule,
  formatBytes,
  formatTime
} from '../model/jobFormat';
import { statusLabel } from '../model/runState';
import { IJobPageActions, JobPage, JobStatusBadge } from './JobPage';
import { useSignal } from './useSignal';

/** What the panel asks of the application. */
export interface IJobsViewActions extends IJobPageActions {
  /** Ask before an action that cannot be undone. */
  confirm(job: IJob, action: 'delete' | 'cancel'): Promise<boolean>;
}

/** The buttons of a job, with their labels and captions. */
const BUTTONS: [JobPanelAction, string, string][] = [
  ['pause', 'Pause', 'Stop the schedule until resumed'],
  ['resume', 'Resume', 'Go on with the schedule (missed times do not run)'],
  ['trigger', 'Run now', "Run the job's combinations once, now"],
  ['cancel', 'Cancel', 'Cancel its runs; nothing more runs'],
  ['delete', 'Delete', 'Delete the job, its runs and their files']
];

function JobActions(props: {
  panel: JobsPanelModel;
  job: IJob;
  actions: IJobsViewActions;
}): JSX.Element {
  const { panel, job, actions } = props;
  const run = async (action: JobPanelAction) => {
    if (action === 'delete' || action === 'cancel') {
      if (!(await actions.confirm(job, action))) {
        return;
      }
    }
    if (action === 'delete') {
      await panel.delete(job.id);
    } else {
      await panel.act(job.id, action);
    }
  };
  return (
    <span className="orchest-lab-JobActions">
      {BUTTONS.map(([action, label, caption]) => (
        <button
          key={action}
          type="button"
          className="jp-Button jp-mod-minimal orchest-lab-LinkButton"
          data-action={action}
          title={caption}
          disabled={!canAct(job, action) || panel.busy(job.id, action)}
          onClick={event => {
            event.stopPropagation();
            void run(action);
          }}
        >
          {label}
        </button>
      ))}
    </span>
  );
}

function RunCounts(props: { job: IJob }): JSX.Element {
  const runs = props.job.runs ?? {};
  const shown = COUNTED.filter(([key]) => (runs[key] ?? 0) > 0);
  return (
    <span className="orchest-lab-JobCounts">
      {shown.length === 0 && (
        <span className="orchest-lab-JobCounts-none">none yet</span>
      )}
      {shown.map(([key, label]) => (
        <span
          key={key}
          className={`orchest-lab-JobCount orchest-lab-JobCount--${String(key).toLowerCase()}`}
          data-count={key}
        >
          {runs[key]} {label}
        </span>
      ))}
    </span>
  );
}

function JobRow(props: {
  panel: JobsPanelModel;
  job: IJob;
  selected: boolean;
  actions: IJobsViewActions;
}): JSX.Element {
  const { panel, job, actions } = props;
  const runs = job.runs ?? {};
  const last = job.last_run;
  return (
    <tr
      className={`orchest-lab-JobRow${props.selected ? ' jp-mod-selected' : ''}`}
      data-job-id={job.id}
      data-status={job.status}
      data-queued={runs.queued ?? 0}
      data-running={runs.STARTED ?? 0}
      data-succeeded={runs.SUCCESS ?? 0}
      data-failed={runs.FAILURE ?? 0}
      data-aborted={runs.ABORTED ?? 0}
      aria-selected={props.selected}
      tabIndex={0}
      onClick={() => panel.select(job.id)}
      onKeyDown={event => {
        if (event.key === 'Enter' && event.target === event.currentTarget) {
          panel.select(job.id);
        }
      }}
    >
      <td className="orchest-lab-JobRow-name">
        <div>{job.name}</div>
        <div className="orchest-lab-JobRow-pipeline">{job.pipeline_path}</div>
      </td>
      <td>
        <JobStatusBadge status={job.status} />
      </td>
      <td>{describeSchedule(job.schedule)}</td>
      <td>{job.next_run_at ? formatTime(job.next_run_at) : '—'}</td>
      <td>
        {last ? (
          <span
            className={`orchest-lab-StatusBadge orchest-lab-RunStatus--${last.status.toLowerCase()}`}
            title={formatTime(last.finished_at)}
          >
            {statusLabel(last.status)}
          </span>
        ) : (
          '—'
        )}
      </td>
      <td>
        <RunCounts job={job} />
      </td>
      <td className="orchest-lab-JobRow-disk">{formatBytes(job.disk_bytes)}</td>
      <td>
        <JobActions panel={panel} job={job} actions={actions} />
      </td>
    </tr>
  );
}

/** The Jobs panel. */
export function JobsView(props: {
  panel: JobsPanelModel;
  actions: IJobsViewActions;
}): JSX.Element {
  const { panel, actions } = props;
  useSignal(panel.changed);
  const jobs = panel.jobs;
  const selected = panel.selected;
  return (
    <div
      className="orchest-lab-JobsView"
      data-loaded={jobs.loaded ? 'true' : 'false'}
    >
      {jobs.error && (
        <div className="orchest-lab-Panel-error" role="alert">
          Could not list the jobs: {jobs.error}{' '}
          <button
            type="button"
            className="jp-Button jp-mod-minimal orchest-lab-LinkButton"
            onClick={() => void jobs.load()}
          >
            Try again
          </button>
        </div>
      )}
      {panel.actionError && (
        <div className="orchest-lab-Panel-error" role="alert">
          {panel.actionError}{' '}
          <button
            type="button"
            className="jp-Button jp-mod-minimal orchest-lab-LinkButton"
            onClick={() => panel.dismissError()}
          >
            Dismiss
          </button>
        </div>
      )}
      <div className="orchest-lab-JobsView-list">
        {jobs.loaded && jobs.jobs.length === 0 ? (
          <p className="orchest-lab-Panel-empty">
            No jobs yet: in a pipeline editor, Create Job… runs the pipeline on
            a snapshot of its project, now, at a time or on a schedule.
          </p>
        ) : !jobs.loaded ? (
          <p className="orchest-lab-Panel-empty">
            {jobs.loading ? 'Loading the jobs…' : ''}
          </p>
        ) : (
          <table className="orchest-lab-JobsTable">
            <thead>
              <tr>
                <th>Job</th>
                <th>Status</th>
                <th>Schedule</th>
                <th>Next run</th>
                <th>Last result</th>
                <th>Runs</th>
                <th>Disk</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {jobs.jobs.map(job => (
                <JobRow
                  key={job.id}
                  panel={panel}
                  job={job}
                  selected={selected?.id === job.id}
                  actions={actions}
                />
              ))}
            </tbody>
          </table>
        )}
      </div>
      {selected && (
        <JobPage
          key={selected.id}
          panel={panel}
          job={selected}
          actions={actions}
        />
      )}
    </div>
  );
}
