/**
 * Jobs against the real server: from the quickstart pipeline's editor,
 * Create Job… with a grid of three values on one parameter (the dialog
 * previews a cron schedule, says what is not JSON, and keeps everything
 * when the server refuses a field), then the Jobs panel follows the three
 * runs to their end, a run shows its steps' statuses on its pipeline, and
 * one of its notebooks opens read-only with its outputs. The editor never
 * shows the job's runs on its own nodes.
 */
import { expect, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';

import {
  openPipeline,
  stepNode,
  toolbarButton
} from './helpers';

test.use({ viewport: { width: 1440, height: 1000 } });

const PIPELINE = 'quickstart.orchest';
const TRAIN = 'a1b2c3d4-e5f6-4789-8abc-def012345604';
const RATES = ['0.01', '0.05', '0.1'];

/** A field of the Create Job form, by its error id (see JobDraft.error). */
function field(dialog: Locator, id: string): Locator {
  return dialog.locator(`.orchest-lab-JobField[data-field="${id}"]`);
}

test('create a job with a grid, follow its runs, open a run and its notebook read-only', async ({
  page
}, testInfo) => {
  test.setTimeout(240_000);
  const editor = await openPipeline(page, PIPELINE);

  // --- The dialog -----------------------------------------------------------
  await toolbarButton(page, 'Create Job…').click();
  const dialog = page.locator('.orchest-lab-CreateJobDialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('Name', { exact: true })).toHaveValue(
    /^quickstart \d{4}-\d\d-\d\d \d\d:\d\d$/
  );

  // A cron schedule shows its next five times as it is typed, and the
  // server's message when it is not one.
  await dialog.getByLabel('On a cron schedule').check();
  const cron = dialog.getByLabel('Cron expression');
  await expect(cron).toHaveValue('0 3 * * *');
  await expect(dialog.getByLabel('Time zone')).not.toHaveValue('');
  const times = dialog.locator('.orchest-lab-SchedulePreview-times li');
  await expect(times).toHaveCount(5);
  await cron.fill('30 6 * * 1');
  await expect(
    dialog.locator('.orchest-lab-SchedulePreview[data-loading="false"]')
  ).toBeVisible();
  await expect(times).toHaveCount(5);
  await cron.fill('nope');
  await expect(dialog.locator('.orchest-lab-SchedulePreview [role="alert"]')).toContainText(
    "'nope' is not a cron expression"
  );
  await dialog.getByLabel('Now').check();
  await expect(dialog.locator('.orchest-lab-SchedulePreview')).toHaveCount(0);

  // Values are JSON: what is not is said at the field, and no runs are listed.
  const rates = dialog.getByLabel('Values of Train: learning_rate');
  await expect(rates).toHaveValue('0.05');
  await rates.fill('0.01, fast');
  await expect(
    dialog.locator(`tr[data-axis="step/${TRAIN}/learning_rate"] .orchest-lab-FieldError`)
  ).toContainText('Not JSON values');
  await expect(rates).toHaveAttribute('aria-invalid', 'true');
  await rates.fill(RATES.join(', '));
  const combinations = dialog.locator('.orchest-lab-JobCombinations');
  await expect(combinations).toHaveAttribute('data-count', '3');
  await expect(combinations).toHaveAttribute('data-kept', '3');
  const boxes = combinations.getByRole('checkbox');
  await expect(boxes).toHaveCount(3);
  await boxes.nth(1).uncheck();
  await expect(combinations).toHaveAttribute('data-kept', '2');
  await expect(combinations).toContainText('2 of 3 runs selected');
  await boxes.nth(1).check();
  await expect(combinations).toHaveAttribute('data-kept', '3');

  // The server refuses a field: its message is at that field, the dialog
  // stays open and keeps everything entered.
  const webhook = dialog.getByLabel('Failure webhook URL');
  await webhook.fill('ftp://example.org/hook');
  await dialog.getByRole('button', { name: 'Create Job' }).click();
  await expect(field(dialog, 'webhook.url').locator('.orchest-lab-FieldError')).toContainText(
    'http or https'
  );
  await expect(dialog).toBeVisible();
  await expect(rates).toHaveValue(RATES.join(', '));
  await expect(combinations).toHaveAttribute('data-kept', '3');
  await webhook.fill('');
  await expect(field(dialog, 'webhook.url').locator('.orchest-lab-FieldError')).toHaveCount(0);
  await dialog.screenshot({ path: testInfo.outputPath('create-job-dialog.png') });

  // --- The Jobs panel ----------------------------------------------------
  await dialog.getByRole('button', { name: 'Create Job' }).click();
  await expect(dialog).toHaveCount(0);
  const panel = page.locator('#orchest-lab-jobs');
  await expect(panel).toBeVisible();
  const row = panel.locator('.orchest-lab-JobRow[aria-selected="true"]');
  await expect(row).toHaveCount(1);
  const jobId = (await row.getAttribute('data-job-id'))!;
  expect(jobId).toMatch(/^[0-9a-f-]{36}$/);
  await expect(row).toContainText('Once, when made');

  // The three runs end, live (events, never polled): wait on their states.
  await expect(row).toHaveAttribute('data-succeeded', '3', { timeout: 180_000 });
  await expect(row).toHaveAttribute('data-status', 'SUCCESS');
  await expect(row).toHaveAttribute('data-running', '0');
  await expect(row).toHaveAttribute('data-queued', '0');
  await expect(row.locator('.orchest-lab-JobCount--success')).toHaveText('3 succeeded');
  await expect(row).toContainText('Succeeded');
  await expect(row.locator('.orchest-lab-JobRow-disk')).not.toHaveText('0 B');

  const page_ = panel.locator(`.orchest-lab-JobPage[data-job-id="${jobId}"]`);
  const runRows = page_.locator('.orchest-lab-JobRunRow');
  await expect(runRows).toHaveCount(3);
  for (let i = 0; i < 3; i++) {
    await expect(runRows.nth(i)).toHaveAttribute('data-status', 'SUCCESS');
  }
  await expect(page_.locator('.orchest-lab-JobRuns')).toHaveAttribute('data-total', '3');
  // Each run says its parameter, with the step's title.
  for (const rate of RATES) {
    await expect(
      runRows.filter({ hasText: `Train: learning_rate = ${rate}` })
    ).toHaveCount(1);
  }

  // --- A run: its pipeline with its steps' statuses ----------------------
  const chosen = runRows.filter({ hasText: 'learning_rate = 0.1' });
  const runId = (await chosen.getAttribute('data-run-id'))!;
  await chosen.getByRole('button', { name: 'Open' }).click();
  const run = page_.locator(`.orchest-lab-JobRun[data-run-id="${runId}"]`);
  await expect(run).toHaveAttribute('data-status', 'SUCCESS');
  const nodes = run.locator('.orchest-lab-StepNode');
  await expect(nodes).toHaveCount(5);
  for (let i = 0; i < 5; i++) {
    await expect(nodes.nth(i)).toHaveAttribute('data-run-status', 'SUCCESS');
  }
  const steps = run.locator('.orchest-lab-JobRunStep');
  await expect(steps).toHaveCount(5);
  await expect(run.locator('.orchest-lab-JobRunStep[data-run-status="SUCCESS"]')).toHaveCount(5);
  await expect(run.locator('.react-flow[data-view-moving]')).toHaveCount(0);
  await panel.screenshot({ path: testInfo.outputPath('jobs-panel.png') });

  // The step's log, through the runs' log route.
  const train = run.locator(`.orchest-lab-JobRunStep[data-step-uuid="${TRAIN}"]`);
  await train.getByRole('button', { name: 'Log' }).click();
  const log = page.locator(`.orchest-lab-LogView[data-run-id="${runId}"][data-step-uuid="${TRAIN}"]`);
  await expect(log).toHaveAttribute('data-complete', 'true');
  await expect(log.locator('.orchest-lab-LogView-status')).toContainText('Succeeded');

  // --- Its notebook, read-only, with the run's outputs -------------------
  await page.getByRole('main').getByRole('tab', { name: 'Jobs' }).click();
  await train.getByRole('button', { name: 'Notebook' }).click();
  const drivePath = `OrchestJobs:${jobId}/${runId}/train.ipynb`;
  const id = await page.waitForFunction(path => {
    for (const widget of (window as any).jupyterapp.shell.widgets('main')) {
      if (widget.context?.path === path && widget.content?.widgets?.length) {
        return widget.id as string;
      }
    }
    return null;
  }, drivePath);
  const notebook = page.locator(`[id="${await id.jsonValue()}"]`);
  await expect(notebook).toBeVisible();
  await expect(notebook.locator('.jp-OutputArea-output').filter({ hasText: 'trained on' })).toHaveCount(1);
  // learning_rate 0.1: the weight converges to 2 in 100 epochs.
  await expect(notebook.locator('.jp-OutputArea-output').filter({ hasText: 'trained on' })).toContainText('weight 2.000');
  const state = await page.evaluate(path => {
    for (const widget of (window as any).jupyterapp.shell.widgets('main')) {
      if (widget.context?.path === path) {
        return {
          writable: widget.context.contentsModel?.writable,
          canSave: widget.context.canSave,
          readOnlyCells: widget.content.widgets.every((cell: any) => cell.readOnly),
          kernel: widget.sessionContext.session?.kernel?.name ?? null
        };
      }
    }
    return null;
  }, drivePath);
  expect(state).toEqual({ writable: false, canSave: false, readOnlyCells: true, kernel: null });

  // Typing in a cell changes nothing.
  const code = notebook.locator('.jp-CodeCell .cm-content').first();
  await expect(code).toHaveAttribute('aria-readonly', 'true');
  const before = await code.textContent();
  await code.click();
  await page.keyboard.type('edited ');
  await expect(code).toHaveText(before!);

  // Saving is refused, saying why.
  const saved = await page.evaluate(async path => {
    for (const widget of (window as any).jupyterapp.shell.widgets('main')) {
      if (widget.context?.path === path) {
        try {
          await widget.context.save();
          return 'saved';
        } catch (reason) {
          return String(reason);
        }
      }
    }
    return 'not open';
  }, drivePath);
  expect(saved).toContain('read-only');
  const error = page.locator('.jp-Dialog').filter({ hasText: 'read-only' });
  await expect(error).toBeVisible();
  await error.getByRole('button').last().click();
  await expect(page.locator('.jp-Dialog')).toHaveCount(0);

  // --- The editor never showed the job's runs on its nodes ---------------
  for (const uuid of [TRAIN, '2f6f1d2a-7c1b-4e8a-9c43-5a1b0e6d8f01']) {
    await expect(stepNode(editor, uuid)).not.toHaveAttribute('data-run-status', /.*/);
  }
  await expect(editor.locator('.orchest-lab-RunBar')).toHaveCount(0);

  // --- Delete asks first, then the job and its row go --------------------
  await page.getByRole('main').getByRole('tab', { name: 'Jobs' }).click();
  await row.getByRole('button', { name: 'Delete' }).click();
  const confirm = page.locator('.jp-Dialog').filter({ hasText: 'Delete job?' });
  await expect(confirm).toBeVisible();
  await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(panel.locator(`.orchest-lab-JobRow[data-job-id="${jobId}"]`)).toHaveCount(0);
  await expect(page_).toHaveCount(0);
});

test('a scheduled job from the Run menu: next run, pause, resume, run now, cancel', async ({
  page
}) => {
  test.setTimeout(180_000);
  await openPipeline(page, PIPELINE);
  await page.menu.clickMenuItem('Run>Create Job…');
  const dialog = page.locator('.orchest-lab-CreateJobDialog');
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Name', { exact: true }).fill('yearly');
  await dialog.getByLabel('On a cron schedule').check();
  await dialog.getByLabel('Cron expression').fill('0 3 1 1 *');
  await dialog.getByLabel('Time zone').fill('Asia/Tokyo');
  const times = dialog.locator('.orchest-lab-SchedulePreview-times li');
  await expect(times).toHaveCount(5);
  // The server's times, in the job's time zone.
  await expect(times.first()).toHaveAttribute('data-time', /-01-01T03:00:00\+09:00$/);
  await dialog.getByRole('button', { name: 'Create Job' }).click();
  await expect(dialog).toHaveCount(0);

  const panel = page.locator('#orchest-lab-jobs');
  const row = panel.locator('.orchest-lab-JobRow', { hasText: 'yearly' });
  await expect(row).toHaveAttribute('data-status', 'STARTED');
  await expect(row).toContainText('cron 0 3 1 1 * (Asia/Tokyo)');
  await expect(row).toContainText('Active');
  const button = (name: string) => row.getByRole('button', { name, exact: true });
  await expect(button('Resume')).toBeDisabled();

  await button('Pause').click();
  await expect(row).toHaveAttribute('data-status', 'PAUSED');
  await expect(button('Pause')).toBeDisabled();
  await button('Resume').click();
  await expect(row).toHaveAttribute('data-status', 'STARTED');

  // Run now: one run of its one combination, live to its end.
  await button('Run now').click();
  await expect(row).toHaveAttribute('data-succeeded', '1', { timeout: 120_000 });
  await expect(row).toHaveAttribute('data-running', '0');
  await expect(row).toHaveAttribute('data-status', 'STARTED');
  const runs = panel.locator('.orchest-lab-JobPage .orchest-lab-JobRunRow');
  await expect(runs).toHaveCount(1);
  await expect(runs.first()).toContainText("the pipeline's values");

  // Cancel asks first; a cancelled job cannot run again.
  await button('Cancel').click();
  const confirm = page.locator('.jp-Dialog').filter({ hasText: 'Cancel job?' });
  await confirm.getByRole('button', { name: 'Cancel Job' }).click();
  await expect(row).toHaveAttribute('data-status', 'ABORTED');
  await expect(row).toContainText('Cancelled');
  await expect(button('Run now')).toBeDisabled();
  await expect(button('Pause')).toBeDisabled();
});
