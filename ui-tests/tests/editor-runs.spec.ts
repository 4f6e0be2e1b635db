/**
 * The editor around runs, as a new user meets it (issue 13): nodes keep
 * their file and say whether their outputs are up to date, "Run outdated"
 * runs only what changed, a freshly opened notebook runs without a save
 * prompt, and edits made to a notebook during its run are kept with no
 * "File Changed" dialog on save.
 */
import { IJupyterLabPageFixture, expect, test } from '@jupyterlab/galata';

import {
  createProject,
  firstCheckpoint,
  notebookText,
  openedBy,
  openNotebook,
  openPipeline,
  pipelineText,
  readJSON,
  runCommand,
  saveWithKeyboard,
  stepNode,
  toolbarButton,
  uuid
} from './helpers';

test.use({ viewport: { width: 1440, height: 900 } });

/** nbformat multiline text as one string. */
function join(text: string | string[]): string {
  return [text].flat().join('');
}

/** Whether the open document of `path` has unsaved changes. */
function isDirty(page: IJupyterLabPageFixture, path: string): Promise<boolean> {
  return page.evaluate(path => {
    for (const widget of (window as any).jupyterapp.shell.widgets('main')) {
      if (widget.context?.localPath === path) {
        return widget.context.model.dirty as boolean;
      }
    }
    throw new Error(`${path} is not open`);
  }, path);
}

test('nodes keep their file after a run and show when their outputs are outdated; Run outdated reruns only those', async ({
  page,
  tmpPath
}) => {
  const folder = `${tmpPath}/fresh`;
  const [load, use, alone] = [uuid(), uuid(), uuid()];
  await createProject(page, folder, {
    'load.py': 'print("load")\n',
    'use.py': 'print("use")\n',
    'alone.py': 'print("alone")\n',
    'fresh.orchest': pipelineText('fresh', [
      { uuid: load, title: 'Load', file: 'load.py', position: [0, 0] },
      { uuid: use, title: 'Use', file: 'use.py', parents: [load], position: [300, 0] },
      { uuid: alone, title: 'Alone', file: 'alone.py', position: [0, 150] }
    ])
  });
  const path = `${folder}/fresh.orchest`;
  const editor = await openPipeline(page, path);
  for (const step of [load, use, alone]) {
    await expect(stepNode(editor, step)).toHaveAttribute('data-freshness', 'never');
  }
  await expect(stepNode(editor, load)).toContainText('Not run yet');

  await toolbarButton(page, 'Run all').click();
  const bar = editor.locator('.orchest-lab-RunBar');
  await expect(bar).toHaveAttribute('data-run-status', 'SUCCESS');
  for (const step of [load, use, alone]) {
    await expect(stepNode(editor, step)).toHaveAttribute('data-freshness', 'fresh');
  }
  // The file stays on the node beside the status.
  await expect(stepNode(editor, load).locator('.orchest-lab-StepNode-file')).toHaveText('load.py');
  await expect(stepNode(editor, load)).toContainText('Succeeded');
  await expect(stepNode(editor, load)).toContainText('Up to date');

  // Change the first step's file in the text editor and save it.
  await runCommand(page, 'docmanager:open', {
    path: `${folder}/load.py`,
    factory: 'Editor',
    options: { mode: 'split-right' }
  });
  const text = page.locator('.jp-FileEditor .cm-content').filter({ visible: true });
  await text.click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type('print("changed")\n');
  expect(await saveWithKeyboard(page, `${folder}/load.py`)).toBe('completed');

  // It and the step after it are outdated; their last run still succeeded.
  await expect(stepNode(editor, load)).toHaveAttribute('data-freshness', 'outdated');
  await expect(stepNode(editor, use)).toHaveAttribute('data-freshness', 'outdated');
  await expect(stepNode(editor, load)).toContainText('Outdated');
  await expect(stepNode(editor, load)).toHaveAttribute('data-run-status', 'SUCCESS');
  await expect(stepNode(editor, alone)).toHaveAttribute('data-freshness', 'fresh');
  await expect(stepNode(editor, load)).toHaveAttribute('title', /its file changed/);

  await bar.getByRole('button', { name: 'Run outdated (2)' }).click();
  await expect(bar).toHaveAttribute('data-run-status', 'SUCCESS');
  await expect(bar).toContainText('2 of 2 steps');
  await expect(bar).toContainText('outdated steps');
  // The step that was up to date did not run.
  await expect(stepNode(editor, alone)).not.toHaveAttribute('data-run-status', /.*/);
  for (const step of [load, use, alone]) {
    await expect(stepNode(editor, step)).toHaveAttribute('data-freshness', 'fresh');
  }

  // With everything up to date there is nothing to offer; the command says so.
  await expect(bar.getByRole('button', { name: /Run outdated/ })).toHaveCount(0);
  const runId = await bar.getAttribute('data-run-id');
  await page.getByRole('main').getByRole('tab', { name: /^fresh\.orchest/ }).click();
  await runCommand(page, 'orchest-lab:run-outdated');
  await expect(page.locator('.Toastify__toast', { hasText: 'is up to date' })).toBeVisible();
  await expect(bar).toHaveAttribute('data-run-id', runId!);
});

test('a freshly opened notebook whose kernel filled in its metadata runs without a save prompt', async ({
  page,
  request,
  tmpPath
}) => {
  const folder = `${tmpPath}/fresh-notebook`;
  const step = uuid();
  await createProject(page, folder, {
    'new.ipynb': notebookText(['print("hello")']),
    'new.orchest': pipelineText('new', [{ uuid: step, title: 'New', file: 'new.ipynb', position: [0, 0] }])
  });
  const notebookPath = `${folder}/new.ipynb`;
  const editor = await openPipeline(page, `${folder}/new.orchest`);
  await runCommand(page, 'docmanager:open', { path: notebookPath, factory: 'Notebook', options: { mode: 'split-right' } });
  // The kernel's information leaves the untouched notebook "dirty".
  await page.waitForFunction(path => {
    for (const widget of (window as any).jupyterapp.shell.widgets('main')) {
      if (widget.context?.localPath === path) {
        return widget.context.model.dirty === true;
      }
    }
    return false;
  }, notebookPath);

  await toolbarButton(page, 'Run all').click();
  await expect(stepNode(editor, step)).toHaveAttribute('data-run-status', 'SUCCESS');
  await expect(page.locator('.jp-Dialog')).toHaveCount(0);
  const onDisk = await readJSON(request, notebookPath);
  expect(join(onDisk.cells[0].outputs[0].text)).toBe('hello\n');
  expect(await isDirty(page, notebookPath)).toBe(false);
});

test('edits made to a notebook during its run are kept, and saving shows no "File Changed"', async ({
  page,
  request,
  tmpPath
}) => {
  const folder = `${tmpPath}/edit-during`;
  const step = uuid();
  await createProject(page, folder, {
    'slow.ipynb': notebookText([
      'import time\nfor i in range(12):\n    print(f"tick {i}", flush=True)\n    time.sleep(0.3)',
      '41 + 1'
    ]),
    'slow.orchest': pipelineText('slow', [{ uuid: step, title: 'Slow', file: 'slow.ipynb', position: [0, 0] }])
  });
  const notebookPath = `${folder}/slow.ipynb`;
  const editor = await openPipeline(page, `${folder}/slow.orchest`);
  const notebook = await openNotebook(page, notebookPath);

  await toolbarButton(page, 'Run all').click();
  const cells = notebook.locator('.jp-Cell');
  await expect(cells.first().locator('.jp-OutputArea-output')).toContainText('tick 1');
  // Edit the second cell while the first still runs.
  await cells.nth(1).locator('.cm-content').click();
  await page.keyboard.press('End');
  await page.keyboard.type('  # mine');
  await expect(stepNode(editor, step)).toHaveAttribute('data-run-status', 'SUCCESS');

  // The user is told, correctly, what happened.
  await expect(page.locator('.Toastify__toast', { hasText: 'edits made during the run are kept' })).toBeVisible();
  await expect(page.locator('.Toastify__toast', { hasText: 'not loaded' })).toHaveCount(0);
  // The run's outputs and the edit are both in the notebook, unsaved.
  await expect(cells.first().locator('.jp-OutputArea-output')).toContainText('tick 11');
  await expect(cells.nth(1).locator('.jp-OutputArea-output')).toHaveText('42');
  await expect(cells.nth(1).locator('.cm-content')).toHaveText('41 + 1  # mine');
  expect(await isDirty(page, notebookPath)).toBe(true);

  // Saving asks nothing and writes the edit with the run's outputs.
  await cells.nth(1).locator('.cm-content').click();
  expect(await saveWithKeyboard(page, notebookPath)).toBe('completed');
  await expect(page.locator('.jp-Dialog')).toHaveCount(0);
  const saved = await readJSON(request, notebookPath);
  expect(join(saved.cells[1].source)).toBe('41 + 1  # mine');
  expect(join(saved.cells[1].outputs[0].data['text/plain'])).toBe('42');
  expect(join(saved.cells[0].outputs[0].text)).toContain('tick 11');
});

test.describe('from a notebook in a split', () => {
  test.use({ viewport: { width: 1280, height: 800 } });

  test('"Run up to step" shows the run\'s progress until the notebook runs; "Open pipeline" selects its step', async ({
    page,
    tmpPath
  }) => {
    const folder = `${tmpPath}/from-notebook`;
    const [load, clean, report] = [uuid(), uuid(), uuid()];
    await createProject(page, folder, {
      // The first step waits for a file the test writes: the run is held
      // before the notebook's step until the test has seen the progress.
      'load.py': [
        'import pathlib, time',
        'while not pathlib.Path("go").exists():',
        '    time.sleep(0.05)',
        'print("loaded")',
        ''
      ].join('\n'),
      'clean.py': 'print("cleaned")\n',
      'report.ipynb': notebookText(['print("reported")']),
      'chain.orchest': pipelineText('chain', [
        { uuid: load, title: 'Load', file: 'load.py', position: [0, 0] },
        { uuid: clean, title: 'Clean', file: 'clean.py', parents: [load], position: [300, 0] },
        { uuid: report, title: 'Report', file: 'report.ipynb', parents: [clean], position: [600, 0] }
      ])
    });
    const notebook = await openNotebook(page, `${folder}/report.ipynb`);
    const buttons = notebook.locator('.orchest-lab-NotebookButtons');
    // One split button: it fits the split's toolbar.
    await expect(buttons.getByRole('button', { name: 'Run step' })).toBeVisible();
    await expect(buttons.getByRole('button', { name: 'More pipeline actions' })).toBeVisible();

    await buttons.getByRole('button', { name: 'More pipeline actions' }).click();
    const menu = page.locator('.orchest-lab-NotebookButtons-menu');
    await menu.getByText('Run Pipeline up to This Notebook').click();
    const progress = notebook.locator('.orchest-lab-NotebookButtons-progress');
    await expect(progress).toContainText("running 'Load'");
    await expect(progress).toContainText('0 of 3 steps done');

    await page.contents.uploadContent('', 'text', `${folder}/go`);
    await expect(notebook.locator('.jp-OutputArea-output')).toContainText('reported');
    await expect(progress).toHaveCount(0);

    await buttons.getByRole('button', { name: 'More pipeline actions' }).click();
    await menu.getByText("Open This Notebook's Pipeline").click();
    const editor = page.locator(`.orchest-lab-PipelineEditor[data-path="${folder}/chain.orchest"]`);
    await expect(editor).toBeVisible();
    await expect(stepNode(editor, report)).toHaveClass(/orchest-lab-mod-selected/);
    await expect(stepNode(editor, report)).toBeInViewport();
    await expect(stepNode(editor, report)).toHaveAttribute('data-run-status', 'SUCCESS');
    // The run bar counts the run's three steps.
    await expect(editor.locator('.orchest-lab-RunBar')).toContainText('3 of 3 steps');
  });
});

/** Rename a file as the file browser does (through the page's contents manager). */
async function renameInPage(page: IJupyterLabPageFixture, from: string, to: string): Promise<void> {
  await page.evaluate(
    async ({ from, to }) => {
      await (window as any).jupyterapp.serviceManager.contents.rename(from, to);
    },
    { from, to }
  );
}

test('a new pipeline is named after its file, and follows its renames until named otherwise', async ({
  page,
  request,
  tmpPath
}) => {
  const created = `${tmpPath}/untitled.orchest`;
  // JupyterLab's first checkpoint of the new file, made once it is open: a rename before it
  // would leave that request a file that is gone (a 500 in the server's log).
  const opened = firstCheckpoint(page, created);
  await runCommand(page, 'orchest-lab:new-pipeline', { cwd: tmpPath });
  const nameField = (path: string) =>
    page
      .locator(`.orchest-lab-PipelineEditor[data-path="${path}"]`)
      .getByRole('textbox', { name: 'Name', exact: true });
  // The server's "atomic" save truncates the file before writing it: a read in
  // between finds no JSON yet, which is not the state waited for.
  const savedName = async (path: string) => {
    try {
      return (await readJSON(request, path)).name;
    } catch {
      return undefined;
    }
  };
  // Loaded: the properties panel shows the pipeline's name.
  await expect(nameField(created)).toHaveValue('untitled');
  expect((await readJSON(request, created)).name).toBe('untitled');

  await opened;

  // Open: the editor renames it and saves.
  const renamed = `${tmpPath}/etl.orchest`;
  await renameInPage(page, created, renamed);
  await expect(nameField(renamed)).toHaveValue('etl');
  await expect.poll(() => savedName(renamed)).toBe('etl');
  // The file is written before the save's reply marks the document clean.
  await expect.poll(() => isDirty(page, renamed)).toBe(false);

  // Closed: the file is rewritten; a name of its own is kept.
  await createProject(page, `${tmpPath}/closed`, {
    'draft.orchest': pipelineText('draft', []),
    'mine.orchest': pipelineText('My own name', [])
  });
  await renameInPage(page, `${tmpPath}/closed/draft.orchest`, `${tmpPath}/closed/sales.orchest`);
  await renameInPage(page, `${tmpPath}/closed/mine.orchest`, `${tmpPath}/closed/other.orchest`);
  await expect.poll(() => savedName(`${tmpPath}/closed/sales.orchest`)).toBe('sales');
  expect((await readJSON(request, `${tmpPath}/closed/other.orchest`)).name).toBe('My own name');
});

test('a failed run does not show a full progress bar', async ({ page, tmpPath }) => {
  const folder = `${tmpPath}/failed-bar`;
  const [ok, bad, after] = [uuid(), uuid(), uuid()];
  await createProject(page, folder, {
    'ok.py': 'print("ok")\n',
    'bad.py': 'raise ValueError("boom")\n',
    'after.py': 'print("never")\n',
    'failing.orchest': pipelineText('failing', [
      { uuid: ok, title: 'Fine', file: 'ok.py', position: [0, 0] },
      { uuid: bad, title: 'Bad', file: 'bad.py', parents: [ok], position: [300, 0] },
      { uuid: after, title: 'After', file: 'after.py', parents: [bad], position: [600, 0] }
    ])
  });
  const editor = await openPipeline(page, `${folder}/failing.orchest`);
  await toolbarButton(page, 'Run all').click();
  const bar = editor.locator('.orchest-lab-RunBar');
  await expect(bar).toHaveAttribute('data-run-status', 'FAILURE');
  const meter = bar.getByRole('progressbar', { name: 'Run progress' });
  await expect(meter).toHaveClass(/orchest-lab-RunBar-meter--failed/);
  // One of three steps succeeded: a third of the bar, not all of it.
  await expect(meter).toHaveJSProperty('value', 1);
  await expect(meter).toHaveJSProperty('max', 3);
  await expect(meter).toHaveAttribute('aria-valuetext', 'Failed: 1 of 3 steps succeeded');
});

test('a new step finds a free notebook name without failed requests', async ({ page, tmpPath }) => {
  const folder = `${tmpPath}/names`;
  await createProject(page, folder, {
    'step1.ipynb': notebookText(['print(1)']),
    'names.orchest': pipelineText('names', [])
  });
  const editor = await openPipeline(page, `${folder}/names.orchest`);
  const notFound: string[] = [];
  page.on('response', response => {
    if (response.status() === 404 && response.url().includes('/api/contents/')) {
      notFound.push(response.url());
    }
  });
  await editor.locator('.orchest-lab-PipelineGraph').click({ position: { x: 30, y: 30 } });
  await page.keyboard.press('n');
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog.locator('input')).toHaveValue('step2.ipynb');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(editor.locator('.orchest-lab-StepNode')).toHaveCount(1);
  expect(await page.contents.fileExists(`${folder}/step2.ipynb`)).toBe(true);
  expect(notFound).toEqual([]);
});

test("a step's context menu opens its file, runs it or up to it, and shows its log", async ({ page, tmpPath }) => {
  const folder = `${tmpPath}/menu`;
  const [first, second] = [uuid(), uuid()];
  await createProject(page, folder, {
    'first.py': 'print("first ran")\n',
    'second.py': 'print("second ran")\n',
    'menu.orchest': pipelineText('menu', [
      { uuid: first, title: 'First', file: 'first.py', position: [0, 0] },
      { uuid: second, title: 'Second', file: 'second.py', parents: [first], position: [300, 0] }
    ])
  });
  const editor = await openPipeline(page, `${folder}/menu.orchest`);
  const menu = page.locator('.lm-Menu');
  const item = (label: string) => menu.getByRole('menuitem', { name: label, exact: true });

  await stepNode(editor, second).click({ button: 'right' });
  await expect(item('Open File')).toBeVisible();
  await expect(item('Run This Step')).toBeVisible();
  // No run yet: no log to show.
  await expect(item('Show Log')).toHaveAttribute('aria-disabled', 'true');
  await item('Run Up to Here').click();
  await expect(stepNode(editor, second)).toHaveAttribute('data-run-status', 'SUCCESS');
  await expect(stepNode(editor, first)).toHaveAttribute('data-run-status', 'SUCCESS');

  await stepNode(editor, second).click({ button: 'right' });
  await item('Show Log').click();
  const log = page.locator(`.orchest-lab-LogView[data-step-uuid="${second}"]`);
  await expect(log.locator('.orchest-lab-LogView-text')).toContainText('second ran');

  const bar = editor.locator('.orchest-lab-RunBar');
  const upToHere = await bar.getAttribute('data-run-id');
  await stepNode(editor, first).click({ button: 'right' });
  await item('Run This Step').click();
  await expect(bar).not.toHaveAttribute('data-run-id', upToHere!);
  await expect(bar).toContainText('selected steps');
  await expect(bar).toHaveAttribute('data-run-status', 'SUCCESS');
  await expect(bar).toContainText('1 of 1 steps');

  await stepNode(editor, first).click({ button: 'right' });
  await openedBy(page, `${folder}/first.py`, () => item('Open File').click());
});

test('a past run chosen in the history shows its statuses and logs on the canvas, with a way back', async ({
  page,
  tmpPath
}) => {
  const folder = `${tmpPath}/past`;
  const step = uuid();
  await createProject(page, folder, {
    // Fails until the file "fixed" exists.
    'flaky.py': 'import pathlib\nif not pathlib.Path("fixed").exists():\n    raise ValueError("not fixed yet")\nprint("fixed")\n',
    'past.orchest': pipelineText('past', [{ uuid: step, title: 'Flaky', file: 'flaky.py', position: [0, 0] }])
  });
  const path = `${folder}/past.orchest`;
  const editor = await openPipeline(page, path);
  const bar = editor.locator('.orchest-lab-RunBar');
  await toolbarButton(page, 'Run all').click();
  await expect(bar).toHaveAttribute('data-run-status', 'FAILURE');
  const failedRun = await bar.getAttribute('data-run-id');
  await page.contents.uploadContent('', 'text', `${folder}/fixed`);
  await toolbarButton(page, 'Run all').click();
  await expect(bar).not.toHaveAttribute('data-run-id', failedRun!);
  await expect(bar).toHaveAttribute('data-run-status', 'SUCCESS');

  await runCommand(page, 'orchest-lab:show-pipelines');
  const history = page.locator(`#orchest-lab-pipelines-sidebar .orchest-lab-RunItem[data-run-id="${failedRun}"]`);
  await history.locator('.orchest-lab-RunItem-toggle').click();
  await history.getByRole('button', { name: 'Show on canvas' }).click();

  // The canvas shows the failed run, marked as past.
  await expect(bar).toHaveAttribute('data-run-id', failedRun!);
  await expect(bar).toHaveAttribute('data-past', 'true');
  await expect(bar).toContainText('Past run');
  await expect(stepNode(editor, step)).toHaveAttribute('data-run-status', 'FAILURE');
  // Its log is the failed run's.
  await stepNode(editor, step).click({ button: 'right' });
  await page.locator('.lm-Menu').getByRole('menuitem', { name: 'Show Log', exact: true }).click();
  const log = page.locator(`.orchest-lab-LogView[data-step-uuid="${step}"]`);
  await expect(log.locator('.orchest-lab-LogView-text')).toContainText('not fixed yet');

  await bar.getByRole('button', { name: 'Back to latest run' }).click();
  await expect(bar).not.toHaveAttribute('data-past', 'true');
  await expect(stepNode(editor, step)).toHaveAttribute('data-run-status', 'SUCCESS');
});
