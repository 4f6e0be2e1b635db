/**
 * The Pipelines sidebar (pipelines with their latest run; run, cancel and
 * open from there; the run history with each step's log) and the notebook
 * toolbar of notebooks that are steps ("Run step", open the pipeline).
 */
import { expect, test } from '@jupyterlab/galata';

import {
  createChain,
  notebookText,
  openNotebook,
  pipelineEditor,
  runCommand,
  stepNode
} from './helpers';

test.use({ viewport: { width: 1440, height: 900 } });

test('the Pipelines sidebar lists pipelines, runs one, shows its history and a step log', async ({
  page,
  tmpPath
}) => {
  const {
    path,
    uuids: [first, second]
  } = await createChain(page, `${tmpPath}/side`, 'side', [
    { title: 'Hello', file: 'hello.ipynb', content: notebookText(['print("hello from the sidebar")']) },
    { title: 'Bye', file: 'bye.py', content: 'print("bye")\n' }
  ]);
  await runCommand(page, 'orchest-lab:show-pipelines');
  const sidebar = page.locator('#orchest-lab-pipelines-sidebar');
  await expect(sidebar).toBeVisible();
  const item = sidebar.locator(`.orchest-lab-PipelineItem[data-path="${path}"]`);
  await expect(item).toContainText('side');
  await expect(item).toContainText('2 steps');
  await expect(item).toContainText('never run');
  // The example pipelines are listed too.
  await expect(sidebar.locator('.orchest-lab-PipelineItem[data-path="quickstart.orchest"]')).toBeVisible();

  await item.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(item.locator('.orchest-lab-StatusBadge')).toHaveAttribute('data-run-status', 'SUCCESS');

  // The run history: the run, then its steps with their logs.
  const run = sidebar.locator('.orchest-lab-RunItem').filter({ hasText: 'side' }).first();
  await expect(run).toHaveAttribute('data-run-status', 'SUCCESS');
  await expect(run).toContainText('2/2 steps');
  await run.locator('.orchest-lab-RunItem-toggle').click();
  const steps = run.locator('.orchest-lab-RunStep');
  await expect(steps).toHaveCount(2);
  await expect(steps.nth(0)).toHaveAttribute('data-run-status', 'SUCCESS');
  await steps.filter({ hasText: 'Bye' }).getByRole('button', { name: 'Log' }).click();
  const log = page.locator(`.orchest-lab-LogView[data-step-uuid="${second}"]`);
  await expect(log.locator('.orchest-lab-LogView-text')).toContainText('bye');
  await expect(log).toHaveAttribute('data-complete', 'true');

  // Open the pipeline from the sidebar: its nodes show the run.
  await item.locator('.orchest-lab-PipelineItem-open').click();
  const editor = pipelineEditor(page, path);
  await expect(stepNode(editor, first)).toHaveAttribute('data-run-status', 'SUCCESS');
  await expect(stepNode(editor, second)).toHaveAttribute('data-run-status', 'SUCCESS');
});

test('a notebook that is a step gets "Run step" in its toolbar and opens its pipeline', async ({
  page,
  tmpPath
}) => {
  const folder = `${tmpPath}/nbbar`;
  const {
    uuids: [prepare, report]
  } = await createChain(
    page,
    folder,
    'bar',
    [
      { title: 'Prepare', file: 'prepare.ipynb', content: notebookText(['print("prepared")']) },
      { title: 'Report', file: 'report.ipynb', content: notebookText(['print("reported")']) }
    ],
    { 'loose.ipynb': notebookText(['print("no pipeline")']) }
  );
  // A notebook that is no step has no pipeline buttons.
  await openNotebook(page, `${folder}/loose.ipynb`, 'tab-after');
  const looseToolbar = page.locator('.jp-NotebookPanel').filter({ visible: true }).locator('.jp-Toolbar');
  await expect(looseToolbar.locator('.jp-Notebook-toolbarCellType, .jp-Toolbar-item').first()).toBeVisible();
  await expect(looseToolbar.locator('.orchest-lab-NotebookButtons')).toHaveCount(0);

  const notebook = await openNotebook(page, `${folder}/report.ipynb`, 'tab-after');
  const buttons = notebook.locator('.orchest-lab-NotebookButtons');
  await expect(buttons).toBeVisible();
  // "Run up to this step" runs Prepare, then Report; the outputs show here.
  await buttons.getByRole('button', { name: 'More pipeline actions' }).click();
  await page.locator('.orchest-lab-NotebookButtons-menu').getByText('Run Pipeline up to This Notebook').click();
  await expect(notebook.locator('.jp-OutputArea-output')).toContainText('reported');

  await buttons.getByRole('button', { name: 'More pipeline actions' }).click();
  await page.locator('.orchest-lab-NotebookButtons-menu').getByText("Open This Notebook's Pipeline").click();
  const editor = pipelineEditor(page, `${folder}/bar.orchest`);
  await expect(editor).toBeVisible();
  await expect(stepNode(editor, prepare)).toHaveAttribute('data-run-status', 'SUCCESS');
  await expect(stepNode(editor, report)).toHaveAttribute('data-run-status', 'SUCCESS');
  await expect(editor.locator('.orchest-lab-RunBar')).toContainText('selected steps and their ancestors');
});
