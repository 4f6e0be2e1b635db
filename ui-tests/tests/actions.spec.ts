/**
 * More of the editor's actions: "Add to Pipeline" from the file browser, a
 * new step with a new notebook, double-click to open a step's file,
 * deleting a connection, auto-layout, export as SVG and PNG, running with a
 * keyboard shortcut, and a log that follows a running step.
 */
import { expect, test } from '@jupyterlab/galata';

import {
  createProject,
  notebookText,
  openedBy,
  openNotebook,
  openPipeline,
  pipelineText,
  readJSON,
  runCommand,
  saveWithKeyboard,
  settledBox,
  stepNode,
  uuid,
  viewSettled
} from './helpers';

test.use({ viewport: { width: 1440, height: 900 } });

test('"Add to Pipeline" in the file browser, and a new step with a new notebook', async ({
  page,
  request,
  tmpPath
}) => {
  const folder = `${tmpPath}/add`;
  await createProject(page, folder, {
    'extra.ipynb': notebookText(['print("extra")']),
    'add.orchest': pipelineText('add', [])
  });
  const path = `${folder}/add.orchest`;
  const editor = await openPipeline(page, path);
  await page.filebrowser.openDirectory(folder);
  await page.locator('.jp-DirListing-item[title^="Name: extra.ipynb"]').click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Add to Pipeline add.orchest' }).click();
  await expect(editor.locator('.orchest-lab-StepNode')).toHaveCount(1);
  await expect(editor.locator('.orchest-lab-StepNode-title')).toHaveText('extra');

  // New step: creates the notebook next to the pipeline, adds it, selects it.
  await editor.locator('.orchest-lab-PipelineGraph').click({ position: { x: 30, y: 30 } });
  await page.keyboard.press('n');
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog.locator('input')).toHaveValue('step1.ipynb');
  await dialog.locator('input').fill('prepare');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(editor.locator('.orchest-lab-StepNode')).toHaveCount(2);
  await expect(editor.locator('.orchest-lab-StepNode.orchest-lab-mod-selected')).toContainText('prepare');
  expect(await page.contents.fileExists(`${folder}/prepare.ipynb`)).toBe(true);

  await page.keyboard.press('Control+s');
  await expect(page.locator('.lm-TabBar-tab.jp-mod-dirty', { hasText: 'add.orchest' })).toHaveCount(0);
  const saved = await readJSON(request, path);
  expect((Object.values(saved.steps) as any[]).map(step => step.file_path)).toEqual([
    'extra.ipynb',
    'prepare.ipynb'
  ]);
});

test('double-click opens a step; connections can be deleted; auto-layout; export', async ({
  page,
  request,
  tmpPath
}) => {
  const folder = `${tmpPath}/misc`;
  const a = uuid();
  const b = uuid();
  await createProject(page, folder, {
    'a.ipynb': notebookText(['print("a")']),
    'b.py': 'print("b")\n',
    // Both steps at one place: auto-layout separates them.
    'misc.orchest': pipelineText('misc', [
      { uuid: a, title: 'A', file: 'a.ipynb', position: [0, 0] },
      { uuid: b, title: 'B', file: 'b.py', parents: [a], position: [10, 10] }
    ])
  });
  const path = `${folder}/misc.orchest`;
  const editor = await openPipeline(page, path);

  await runCommand(page, 'orchest-lab:auto-layout');
  await expect(page.locator('.lm-TabBar-tab.jp-mod-dirty', { hasText: 'misc.orchest' })).toHaveCount(1);
  // Once the canvas drew the new places and fitted them: B right of A.
  await viewSettled(editor);
  await expect
    .poll(async () => {
      const boxA = (await stepNode(editor, a).boundingBox())!;
      const boxB = (await stepNode(editor, b).boundingBox())!;
      return boxB.x - (boxA.x + boxA.width);
    })
    .toBeGreaterThan(0);

  // Export: an SVG and a PNG next to the pipeline.
  await runCommand(page, 'orchest-lab:export-svg');
  await runCommand(page, 'orchest-lab:export-png');
  const svg = await request.get(`/api/contents/${folder}/misc.svg?content=1&type=file&format=text`);
  const svgText = (await svg.json()).content as string;
  expect(svgText).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  expect(svgText.match(/class="step"/g)).toHaveLength(2);
  const png = await request.get(`/api/contents/${folder}/misc.png?content=1&type=file&format=base64`);
  const pngBytes = Buffer.from((await png.json()).content, 'base64');
  expect(pngBytes.subarray(1, 4).toString('ascii')).toBe('PNG');

  // Click a connection, delete it.
  const from = await settledBox(editor, stepNode(editor, a));
  const to = await settledBox(editor, stepNode(editor, b));
  await page.mouse.click((from.x + from.width + to.x) / 2, from.y + from.height / 2);
  await expect(editor.locator('.react-flow__edge.selected')).toHaveCount(1);
  await page.keyboard.press('Delete');
  await expect(editor.locator('.react-flow__edge')).toHaveCount(0);
  await page.keyboard.press('Control+s');
  await expect(page.locator('.lm-TabBar-tab.jp-mod-dirty', { hasText: 'misc.orchest' })).toHaveCount(0);
  const saved = await readJSON(request, path);
  expect(saved.steps[b].incoming_connections).toEqual([]);

  // Double-click a step: its file opens.
  await openedBy(page, `${folder}/b.py`, () => stepNode(editor, b).dblclick());
});

test('Shift+Enter runs the selection; the log follows the running step', async ({ page, tmpPath }) => {
  const folder = `${tmpPath}/follow`;
  const step = uuid();
  await createProject(page, folder, {
    'slowprint.py':
      'import time\nfor i in range(8):\n    print(f"line {i}", flush=True)\n    time.sleep(0.4)\n',
    'follow.orchest': pipelineText('follow', [
      { uuid: step, title: 'Printer', file: 'slowprint.py', position: [0, 0] }
    ])
  });
  const editor = await openPipeline(page, `${folder}/follow.orchest`);
  await stepNode(editor, step).click();
  await page.keyboard.press('Shift+Enter');
  await expect(stepNode(editor, step)).toHaveAttribute('data-run-status', 'STARTED');
  await editor.locator('.orchest-lab-PropertiesPanel').getByRole('button', { name: 'Show log' }).click();
  const log = page.locator(`.orchest-lab-LogView[data-step-uuid="${step}"]`);
  // Lines arrive while the step still runs...
  await expect(log.locator('.orchest-lab-LogView-text')).toContainText('line 1');
  await expect(log).toHaveAttribute('data-following', 'true');
  await expect(log.locator('.orchest-lab-LogView-status')).toContainText('Running');
  // ...and the log is complete when it ends.
  await expect(log).toHaveAttribute('data-complete', 'true', { timeout: 20000 });
  await expect(log.locator('.orchest-lab-LogView-text')).toContainText('line 7');
  await expect(log.locator('.orchest-lab-LogView-status')).toContainText('Succeeded');
});

test("saving a pipeline that gives an open notebook its environment's kernel reloads the notebook", async ({
  page,
  request,
  tmpPath
}) => {
  const folder = `${tmpPath}/envkernel`;
  const env = '6c1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6';
  const step = uuid();
  await createProject(page, folder, {
    'nb.ipynb': notebookText(['print("hi")']),
    'env.orchest': pipelineText('env', [{ uuid: step, title: 'Nb', file: 'nb.ipynb', position: [0, 0] }])
  });
  await page.contents.createDirectory(`${folder}/.orchest/environments`);
  await page.contents.createDirectory(`${folder}/.orchest/environments/${env}`);
  await page.contents.uploadContent(
    JSON.stringify({
      base_image: 'orchest/base-kernel-py',
      gpu_support: false,
      language: 'python',
      name: 'Analysis',
      uuid: env
    }),
    'text',
    `${folder}/.orchest/environments/${env}/properties.json`
  );
  await page.contents.uploadContent('', 'text', `${folder}/.orchest/environments/${env}/setup_script.sh`);

  const editor = await openPipeline(page, `${folder}/env.orchest`);
  const notebook = await openNotebook(page, `${folder}/nb.ipynb`);
  // Beside the notebook the editor is narrow: its properties panel starts collapsed.
  await editor.getByRole('button', { name: 'Show the properties' }).click();
  // The canvas narrows and refits a frame or more later: a click before that lands beside the step.
  await viewSettled(editor);
  await stepNode(editor, step).click();
  const select = editor.locator('.orchest-lab-PropertiesPanel').getByLabel('Environment', { exact: true });
  await expect(select.locator('option', { hasText: 'Analysis' })).toHaveCount(1);
  await select.selectOption(env);
  await stepNode(editor, step).click();
  await page.keyboard.press('Control+s');
  await expect(page.locator('.lm-TabBar-tab.jp-mod-dirty', { hasText: 'env.orchest' })).toHaveCount(0);

  // The server gave the notebook the environment's kernel; the open notebook follows.
  await expect
    .poll(async () => (await readJSON(request, `${folder}/nb.ipynb`)).metadata.kernelspec.display_name)
    .toMatch(/^Analysis/);
  await expect
    .poll(() =>
      page.evaluate(path => {
        const app = (window as any).jupyterapp;
        for (const widget of app.shell.widgets('main')) {
          if (widget.context?.localPath === path && widget.sessionContext) {
            return widget.context.model.getMetadata('kernelspec')?.display_name ?? '';
          }
        }
        return '';
      }, `${folder}/nb.ipynb`)
    )
    .toMatch(/^Analysis/);
  // Saving the notebook raises no "File changed" dialog.
  await notebook.locator('.jp-Cell').first().click();
  expect(await saveWithKeyboard(page, `${folder}/nb.ipynb`)).toBe('completed');
  await expect(page.locator('.jp-Dialog')).toHaveCount(0);
});
