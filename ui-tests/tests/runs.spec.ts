/**
 * Running from the editor against a real server and real kernels: statuses
 * change live, outputs appear in the open notebook without a dialog, a
 * failure skips what depends on it, cancel stops a run, and unsaved changes
 * of a notebook about to run are never lost.
 */
import { IJupyterLabPageFixture, expect, galata, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';

import {
  createChain,
  createProject,
  notebookText,
  openNotebook,
  openPipeline,
  pipelineText,
  readJSON,
  saveWithKeyboard,
  stepNode,
  toolbarButton,
  uuid
} from './helpers';

test.use({ viewport: { width: 1440, height: 900 } });

/** Every visible dialog (there must be none while runs write notebooks). */
function dialogs(page: IJupyterLabPageFixture): Locator {
  return page.locator('.jp-Dialog');
}

/** nbformat multiline text as one string. */
function join(text: string | string[]): string {
  return [text].flat().join('');
}

/** Outputs with multiline texts joined, for comparing the page with the file. */
function normalize(outputs: any[]): any[] {
  return outputs.map(output => {
    const copy = { ...output };
    if ('text' in copy) {
      copy.text = join(copy.text);
    }
    if (copy.data) {
      copy.data = Object.fromEntries(
        Object.entries(copy.data).map(([mime, value]) => [mime, typeof value === 'object' && !Array.isArray(value) ? value : join(value as any)])
      );
    }
    if (copy.metadata && Object.keys(copy.metadata).length === 0) {
      delete copy.metadata;
    }
    return copy;
  });
}

const COUNT = [
  'import time\nfor i in range(12):\n    print(f"tick {i}", flush=True)\n    time.sleep(0.15)',
  '41 + 1'
];

test('run selected: statuses change and outputs appear in the open notebook, with no dialog', async ({
  page,
  request,
  tmpPath
}) => {
  const folder = `${tmpPath}/live`;
  const {
    path,
    uuids: [count, other]
  } = await createChain(page, folder, 'live', [
    { title: 'Count', file: 'count.ipynb', content: notebookText(COUNT) },
    { title: 'Other', file: 'other.ipynb', content: notebookText(['print("not selected")']) }
  ]);
  const editor = await openPipeline(page, path);
  const notebook = await openNotebook(page, `${folder}/count.ipynb`);

  // Nothing selected, nothing running: only "Run all" can be used.
  await expect(toolbarButton(page, 'Selected')).toBeDisabled();
  await expect(toolbarButton(page, 'Cancel')).toBeDisabled();
  await expect(toolbarButton(page, 'Run all')).toBeEnabled();

  await stepNode(editor, count).click();
  await expect(toolbarButton(page, 'Selected')).toBeEnabled();
  await toolbarButton(page, 'Selected').click();

  await expect(stepNode(editor, count)).toHaveAttribute('data-run-status', 'STARTED');
  await expect(stepNode(editor, count)).toContainText('Running');
  await expect(toolbarButton(page, 'Cancel')).toBeEnabled();
  await expect(toolbarButton(page, 'Run all')).toBeDisabled();
  // Outputs arrive while the cell still runs.
  const firstOutput = notebook.locator('.jp-Cell').first().locator('.jp-OutputArea-output');
  await expect(firstOutput).toContainText('tick 2');
  await expect(stepNode(editor, count)).toHaveAttribute('data-run-status', 'STARTED');
  await expect(firstOutput).toContainText('tick 11');
  // Each tick arrived once, in order (most events carry only the new text).
  const ticks = (await firstOutput.innerText()).trim().split('\n');
  expect(ticks).toEqual(Array.from({ length: 12 }, (_, i) => `tick ${i}`));
  await expect(notebook.locator('.jp-Cell').nth(1).locator('.jp-OutputArea-output')).toHaveText('42');

  await expect(stepNode(editor, count)).toHaveAttribute('data-run-status', 'SUCCESS');
  await expect(stepNode(editor, count)).toContainText('Succeeded');
  // Only the selected step ran.
  await expect(stepNode(editor, other)).not.toHaveAttribute('data-run-status', /.*/);
  const bar = editor.locator('.orchest-lab-RunBar');
  await expect(bar).toHaveAttribute('data-run-status', 'SUCCESS');
  await expect(bar).toContainText('1 of 1 steps');
  await expect(toolbarButton(page, 'Cancel')).toBeDisabled();

  // The open notebook is the file on disk: clean, with the run's outputs.
  const onDisk = await readJSON(request, `${folder}/count.ipynb`);
  expect(join(onDisk.cells[1].outputs[0].data['text/plain'])).toEqual('42');
  const inPage = await page.evaluate(path => {
    const app = (window as any).jupyterapp;
    let found: any = null;
    for (const widget of app.shell.widgets('main')) {
      if (widget.context?.localPath === path && widget.content?.model) {
        found = widget;
      }
    }
    return {
      dirty: found.context.model.dirty,
      cells: found.context.model.toJSON().cells.map((cell: any) => ({
        count: cell.execution_count,
        outputs: cell.outputs
      }))
    };
  }, `${folder}/count.ipynb`);
  expect(inPage.dirty).toBe(false);
  expect(inPage.cells.map((cell: any) => cell.count)).toEqual(
    onDisk.cells.map((cell: any) => cell.execution_count)
  );
  expect(inPage.cells.map((cell: any) => normalize(cell.outputs))).toEqual(
    onDisk.cells.map((cell: any) => normalize(cell.outputs))
  );
  expect(JSON.stringify(inPage.cells[0].outputs)).toContain('tick 11');

  // Saving the notebook now raises no "File changed" dialog.
  await notebook.locator('.jp-Cell').first().click();
  expect(await saveWithKeyboard(page, `${folder}/count.ipynb`)).toBe('completed');
  await expect(dialogs(page)).toHaveCount(0);
});

test('a notebook opened in the middle of a long cell catches up with it, then follows it', async ({
  page,
  request,
  tmpPath
}) => {
  const folder = `${tmpPath}/late`;
  const slowCell = 'import time\nfor i in range(40):\n    print(f"tick {i}", flush=True)\n    time.sleep(0.2)';
  const {
    path,
    uuids: [slow]
  } = await createChain(page, folder, 'late', [{ title: 'Slow', file: 'slow.ipynb', content: notebookText([slowCell]) }]);
  const editor = await openPipeline(page, path);
  await toolbarButton(page, 'Run all').click();
  await expect(stepNode(editor, slow)).toHaveAttribute('data-run-status', 'STARTED');

  // Opened once the cell has printed: most events from then on carry only
  // what is new since one this notebook never saw.
  await expect.poll(async () => JSON.stringify(await readJSON(request, `${folder}/slow.ipynb`))).toContain('tick 3');
  const notebook = await openNotebook(page, `${folder}/slow.ipynb`);
  const output = notebook.locator('.jp-Cell').first().locator('.jp-OutputArea-output');
  await expect(output).toContainText('tick 20');
  await expect(stepNode(editor, slow)).toHaveAttribute('data-run-status', 'STARTED');
  const ticks = (await output.innerText()).trim().split('\n');
  expect(ticks).toEqual(Array.from({ length: ticks.length }, (_, i) => `tick ${i}`));
  await expect(stepNode(editor, slow)).toHaveAttribute('data-run-status', 'SUCCESS');
  await expect(output).toContainText('tick 39');
});

test('a failing step shows failed, the steps after it skipped, independent ones succeed', async ({
  page,
  tmpPath
}) => {
  const folder = `${tmpPath}/fails`;
  const ok = uuid();
  const fail = uuid();
  const after = uuid();
  const last = uuid();
  await createProject(page, folder, {
    'ok.ipynb': notebookText(['print("fine")']),
    'fail.ipynb': notebookText(['x = 1', 'raise ValueError("boom")']),
    'after.ipynb': notebookText(['print("never")']),
    'last.py': 'print("never either")\n',
    'fails.orchest': pipelineText('fails', [
      { uuid: ok, title: 'Fine', file: 'ok.ipynb', position: [0, 0] },
      { uuid: fail, title: 'Breaks', file: 'fail.ipynb', position: [0, 150] },
      { uuid: after, title: 'After', file: 'after.ipynb', parents: [fail], position: [300, 150] },
      { uuid: last, title: 'Last', file: 'last.py', parents: [after, ok], position: [600, 75] }
    ])
  });
  const editor = await openPipeline(page, `${folder}/fails.orchest`);
  await toolbarButton(page, 'Run all').click();

  const bar = editor.locator('.orchest-lab-RunBar');
  await expect(bar).toHaveAttribute('data-run-status', 'FAILURE');
  await expect(stepNode(editor, fail)).toHaveAttribute('data-run-status', 'FAILURE');
  await expect(stepNode(editor, fail)).toContainText('Failed');
  await expect(stepNode(editor, after)).toHaveAttribute('data-run-status', 'SKIPPED');
  await expect(stepNode(editor, last)).toHaveAttribute('data-run-status', 'SKIPPED');
  await expect(stepNode(editor, ok)).toHaveAttribute('data-run-status', 'SUCCESS');
  await expect(bar).toContainText('4 of 4 steps');
  await expect(bar).toContainText('Breaks: ValueError: boom');

  // The properties of the failed step say why, and show its log.
  await stepNode(editor, fail).click();
  const panel = editor.locator('.orchest-lab-PropertiesPanel');
  await expect(panel.locator('.orchest-lab-StepRun-failure')).toContainText('ValueError: boom (cell 2)');
  await panel.getByRole('button', { name: 'Show log' }).click();
  const log = page.locator(`.orchest-lab-LogView[data-step-uuid="${fail}"]`);
  await expect(log).toHaveAttribute('data-complete', 'true');
  await expect(log.locator('.orchest-lab-LogView-text')).toContainText('ValueError');
  await expect(log.locator('.orchest-lab-LogView-status')).toContainText('Failed');
});

test('cancel stops a running run: its steps are aborted', async ({ page, tmpPath }) => {
  const {
    path,
    uuids: [slow, next]
  } = await createChain(page, `${tmpPath}/cancel`, 'cancel', [
    {
      title: 'Slow',
      file: 'slow.ipynb',
      content: notebookText(['import time\nprint("sleeping", flush=True)\ntime.sleep(120)'])
    },
    { title: 'Next', file: 'next.ipynb', content: notebookText(['print("next")']) }
  ]);
  const editor = await openPipeline(page, path);
  await toolbarButton(page, 'Run all').click();
  await expect(stepNode(editor, slow)).toHaveAttribute('data-run-status', 'STARTED');
  await expect(stepNode(editor, next)).toHaveAttribute('data-run-status', 'PENDING');
  await expect(stepNode(editor, next)).toContainText('Queued');

  await toolbarButton(page, 'Cancel').click();
  const bar = editor.locator('.orchest-lab-RunBar');
  await expect(bar).toHaveAttribute('data-run-status', 'ABORTED');
  await expect(stepNode(editor, slow)).toHaveAttribute('data-run-status', 'ABORTED');
  await expect(stepNode(editor, next)).toHaveAttribute('data-run-status', /ABORTED|SKIPPED/);
  await expect(toolbarButton(page, 'Cancel')).toBeDisabled();
  await expect(toolbarButton(page, 'Run all')).toBeEnabled();
});

test('a notebook with unsaved changes: Cancel keeps them and runs nothing; Save and Run saves them first', async ({
  page,
  request,
  tmpPath
}) => {
  const folder = `${tmpPath}/unsaved`;
  const step = uuid();
  await createProject(page, folder, {
    'edit.ipynb': notebookText(['print("before")']),
    'unsaved.orchest': pipelineText('unsaved', [
      { uuid: step, title: 'Edit me', file: 'edit.ipynb', position: [0, 0] }
    ])
  });
  const editor = await openPipeline(page, `${folder}/unsaved.orchest`);
  const notebook = await openNotebook(page, `${folder}/edit.ipynb`);
  // Edit the notebook without saving.
  await notebook.locator('.jp-Cell .cm-content').first().click();
  await page.keyboard.press('End');
  await page.keyboard.type('; print("after")');
  await expect(page.locator('.lm-TabBar-tab.jp-mod-dirty', { hasText: 'edit.ipynb' })).toHaveCount(1);

  await stepNode(editor, step).click();
  await toolbarButton(page, 'Run all').click();
  const dialog = dialogs(page);
  await expect(dialog).toContainText('Save changes before running?');
  await expect(dialog).toContainText('edit.ipynb');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toHaveCount(0);
  // Nothing ran, the edit is still there, unsaved.
  await expect(stepNode(editor, step)).not.toHaveAttribute('data-run-status', /.*/);
  await expect(page.locator('.lm-TabBar-tab.jp-mod-dirty', { hasText: 'edit.ipynb' })).toHaveCount(1);
  const before = await readJSON(request, `${folder}/edit.ipynb`);
  expect([before.cells[0].source].flat().join('')).toBe('print("before")');

  await toolbarButton(page, 'Run all').click();
  await dialog.getByRole('button', { name: 'Save and Run' }).click();
  await expect(stepNode(editor, step)).toHaveAttribute('data-run-status', 'SUCCESS');
  // The edit was saved, then run: its output is in the notebook.
  await expect(notebook.locator('.jp-OutputArea-output').first()).toContainText('before\nafter');
  await expect(page.locator('.lm-TabBar-tab.jp-mod-dirty', { hasText: 'edit.ipynb' })).toHaveCount(0);
  const saved = await readJSON(request, `${folder}/edit.ipynb`);
  expect([saved.cells[0].source].flat().join('')).toBe('print("before"); print("after")');
  await expect(dialogs(page)).toHaveCount(0);
});

test('a refused run shows the server\'s message and issues', async ({ page }) => {
  // broken.orchest has a cycle and a missing file.
  const editor = await openPipeline(page, 'broken.orchest');
  await expect(editor.locator('.orchest-lab-StepNode')).toHaveCount(4);
  await toolbarButton(page, 'Run all').click();
  const dialog = dialogs(page);
  await expect(dialog).toContainText('Could not run broken.orchest');
  await expect(dialog).toContainText('is not valid');
  await expect(dialog.locator('li[data-code="cycle"]')).toContainText("'Prepare' -> 'Check' -> 'Prepare'");
  await dialog.getByRole('button', { name: 'OK' }).click();
  await expect(editor.locator('.orchest-lab-RunBar')).toHaveCount(0);
});

test.describe('with "Confirm before running" on', () => {
  test.use({
    mockSettings: { ...galata.DEFAULT_SETTINGS, 'orchest-lab:plugin': { confirmBeforeRun: true } }
  });

  test('each run is confirmed first, listing its steps', async ({ page, tmpPath }) => {
    const {
      path,
      uuids: [first, second]
    } = await createChain(page, `${tmpPath}/confirm`, 'confirm', [
      { title: 'One', file: 'one.py', content: 'print(1)\n' },
      { title: 'Two', file: 'two.py', content: 'print(2)\n' }
    ]);
    const editor = await openPipeline(page, path);
    await stepNode(editor, second).click();
    await toolbarButton(page, 'Incoming').click();
    const dialog = dialogs(page);
    await expect(dialog).toContainText('Run 2 steps of confirm.orchest?');
    await expect(dialog).toContainText('One, Two');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(stepNode(editor, first)).not.toHaveAttribute('data-run-status', /.*/);

    await toolbarButton(page, 'Incoming').click();
    await dialog.getByRole('button', { name: 'Run' }).click();
    await expect(stepNode(editor, second)).toHaveAttribute('data-run-status', 'SUCCESS');
    await expect(stepNode(editor, first)).toHaveAttribute('data-run-status', 'SUCCESS');
  });
});
