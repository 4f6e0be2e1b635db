/**
 * The Jobs panel in a main-area tab: the React view of a
 * {@link JobsPanelModel}, with dialogs that ask before deleting or
 * cancelling a job.
 */
import { Dialog, MainAreaWidget, showDialog } from '@jupyterlab/apputils';
import { ReactWidget, listIcon } from '@jupyterlab/ui-components';
import React from 'react';

import type { IJob } from '../api/jobTypes';
import { IJobsViewActions, JobsView } from '../components/JobsView';
import { JobsPanelModel } from '../model/JobsPanelModel';
import { formatBytes } from '../model/jobFormat';

/** The id of the panel's tab (for tests and the command). */
export const JOBS_PANEL_ID = 'orchest-lab-jobs';

/** Ask before deleting or cancelling a job. */
export async function confirmJobAction(
  job: IJob,
  action: 'delete' | 'cancel'
): Promise<boolean> {
  const runs = job.runs?.total ?? 0;
  const result = await showDialog(
    action === 'delete'
      ? {
          title: 'Delete job?',
          body:
            `Delete '${job.name}': its schedule, its ${runs} ${runs === 1 ? 'run' : 'runs'} ` +
            `and their files (${formatBytes(job.disk_bytes)})? Runs in progress are cancelled.`,
          buttons: [
            Dialog.cancelButton(),
            Dialog.warnButton({ label: 'Delete' })
          ]
        }
      : {
          title: 'Cancel job?',
          body:
            `Cancel '${job.name}': its runs in progress stop and nothing more runs. ` +
            'Its runs and files are kept; a cancelled job cannot run again.',
          buttons: [
            Dialog.cancelButton({ label: 'Keep Running' }),
            Dialog.warnButton({ label: 'Cancel Job' })
          ]
        }
  );
  return result.button.accept;
}

/** Create the panel's tab around a model. */
export function createJobsPanel(
  model: JobsPanelModel,
  actions: Omit<IJobsViewActions, 'confirm'>
): MainAreaWidget<ReactWidget> {
  const content = ReactWidget.create(
    React.createElement(JobsView, {
      panel: model,
      actions: { ...actions, confirm: confirmJobAction }
    })
  );
  content.addClass('orchest-lab-JobsPanel');
  const widget = new MainAreaWidget({ content });
  widget.id = JOBS_PANEL_ID;
  widget.title.label = 'Jobs';
  widget.title.caption = 'Jobs: scheduled, parameterised runs of pipelines';
  widget.title.icon = listIcon;
  widget.title.closable = true;
  return widget;
}
