/**
 * Building pipelines in the editor: steps dragged from the file browser,
 * connections drawn between handles (a cycle is refused), save and reload;
 * editing through the keyboard (copy, paste, delete, undo) and the
 * properties panel.
 */
import { IJupyterLabPageFixture, expect, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';

import {
  createChain,
  createProject,
  notebookText,
  openPipeline,
  pipelineEditor,
  pipelineText,
  readJSON,
  settledBox,
  stepNode,
  uuid
} from './helpers';

// Room for the canvas beside the properties panel.
test.use({ viewport: { width: 1440, height: 900 } });

/** Drag a file browser item onto the canvas, at a point of the canvas (fractions of its size). */
async function dragFileToCanvas(
  page: IJupyterLabPageFixture,
  name: string,
  canvas: Locator,
  at: { x: number; y: number }
) {
  const item = page.locator(`.jp-DirListing-item[title^="Name: ${name}"]`);
  const from = (await item.boundingBox())!;
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(from.x + 20, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(from.x + 40, from.y + from.height / 2, { steps: 4 });
  await page.mouse.move(box.x + at.x * box.width, box.y + at.y * box.height, { steps: 10 });
  await page.mouse.up();
}

/** Draw a connection from a node's output handle to another node's input. */
async function connect(page: IJupyterLabPageFixture, editor: Locator, from: Locator, to: Locator) {
  await from.hover();
  const source = await settledBox(editor, from.locator('.react-flow__handle.source'));
  const target = await settledBox(editor, to.locator('.react-flow__handle.target'));
  await page.mouse.move(source.x + source.width / 2, source.y + source.height / 2);
  await page.mouse.down();
  await page.mouse.move(target.x + target.width / 2, target.y + target.height / 2, { steps: 12 });
  await page.mouse.up();
}

/** The editor's document tab is dirty (unsaved changes). */
function dirtyTab(page: IJupyterLabPageFixture, name: string): Locator {
  return page.locator(`.lm-DockPanel-tabBar .lm-TabBar-tab.jp-mod-dirty`, { hasText: name });
}

test('build a pipeline by dragging two notebooks and connecting them; save, reload: the same graph', async ({
  page,
  request,
  tmpPath
}) => {
  const folder = `${tmpPath}/project`;
  await createProject(page, folder, {
    'load.ipynb': notebookText(['print("load")']),
    'train.ipynb': notebookText(['print("train")']),
    'built.orchest': pipelineText('built', [])
  });
  await page.filebrowser.openDirectory(folder);
  const editor = await openPipeline(page, `${folder}/built.orchest`);
  const canvas = editor.locator('.orchest-lab-PipelineGraph');
  await expect(editor.locator('.orchest-lab-PipelineGraph-empty')).toContainText('drag notebooks');

  await dragFileToCanvas(page, 'load.ipynb', canvas, { x: 0.2, y: 0.3 });
  await expect(editor.locator('.orchest-lab-StepNode')).toHaveCount(1);
  await dragFileToCanvas(page, 'train.ipynb', canvas, { x: 0.75, y: 0.6 });
  await expect(editor.locator('.orchest-lab-StepNode')).toHaveCount(2);
  await expect(editor.locator('.orchest-lab-StepNode-title')).toHaveText(['load', 'train']);
  await expect(dirtyTab(page, 'built.orchest')).toHaveCount(1);

  const load = editor.locator('.orchest-lab-StepNode', { hasText: 'load' });
  const train = editor.locator('.orchest-lab-StepNode', { hasText: 'train' });
  await connect(page, editor, load, train);
  await expect(editor.locator('.react-flow__edge')).toHaveCount(1);

  // The other way round would make a cycle: refused, with a message.
  await connect(page, editor, train, load);
  await expect(page.locator('.Toastify__toast').filter({ hasText: 'would make a cycle' })).toBeVisible();
  await expect(editor.locator('.react-flow__edge')).toHaveCount(1);

  // Ctrl+S on the canvas saves the document.
  await canvas.click({ position: { x: 20, y: 20 } });
  await page.keyboard.press('Control+s');
  await expect(dirtyTab(page, 'built.orchest')).toHaveCount(0);

  const saved = await readJSON(request, `${folder}/built.orchest`);
  const steps = Object.values(saved.steps) as any[];
  expect(steps.map(step => step.file_path)).toEqual(['load.ipynb', 'train.ipynb']);
  const [loadStep, trainStep] = steps;
  expect(trainStep.incoming_connections).toEqual([loadStep.uuid]);
  expect(loadStep.incoming_connections).toEqual([]);
  for (const step of steps) {
    expect(Object.keys(step)).toEqual([
      'environment',
      'file_path',
      'incoming_connections',
      'kernel',
      'meta_data',
      'parameters',
      'title',
      'uuid'
    ]);
    expect(step.meta_data.position.every(Number.isInteger)).toBe(true);
  }
  expect(trainStep.meta_data.position[0]).toBeGreaterThan(loadStep.meta_data.position[0]);
  await expect(editor.locator('.orchest-lab-ValidationStatus')).toHaveText('Valid pipeline');

  // Reload the page: the restored editor draws the same graph.
  await page.reload({ waitForIsReady: false });
  const again = pipelineEditor(page, `${folder}/built.orchest`);
  await expect(again.locator('.orchest-lab-StepNode')).toHaveCount(2);
  await expect(again.locator('.react-flow__edge')).toHaveCount(1);
  await expect(stepNode(again, trainStep.uuid)).toContainText('train');
  await expect(again.locator(`[data-id="${loadStep.uuid}->${trainStep.uuid}"]`)).toHaveCount(1);
});

test('keyboard editing: select, copy, paste, delete, undo; moving writes positions', async ({
  page,
  request,
  tmpPath
}) => {
  const {
    path,
    uuids: [a, b]
  } = await createChain(page, `${tmpPath}/keys`, 'keys', [
    { title: 'A', file: 'a.ipynb', content: notebookText(['1']) },
    { title: 'B', file: 'b.ipynb', content: notebookText(['2']) }
  ]);
  const editor = await openPipeline(page, path);
  const nodes = editor.locator('.orchest-lab-StepNode');
  await expect(nodes).toHaveCount(2);

  // Copy B, paste: a new step B, still fed by A.
  await stepNode(editor, b).click();
  await expect(stepNode(editor, b)).toHaveClass(/orchest-lab-mod-selected/);
  await page.keyboard.press('Control+c');
  await page.keyboard.press('Control+v');
  await expect(nodes).toHaveCount(3);
  await expect(editor.locator('.react-flow__edge')).toHaveCount(2);
  const pasted = editor.locator('.orchest-lab-StepNode.orchest-lab-mod-selected');
  await expect(pasted).toHaveCount(1);
  const pastedUuid = await pasted.getAttribute('data-step-uuid');
  expect(pastedUuid).not.toBe(b);

  // Delete removes it again; undo brings it back; redo removes it.
  await page.keyboard.press('Delete');
  await expect(nodes).toHaveCount(2);
  await page.keyboard.press('Control+z');
  await expect(nodes).toHaveCount(3);
  await page.keyboard.press('Control+Shift+z');
  await expect(nodes).toHaveCount(2);

  // Select all, then move both by dragging one: positions are written.
  await page.keyboard.press('Control+a');
  await expect(editor.locator('.orchest-lab-StepNode.orchest-lab-mod-selected')).toHaveCount(2);
  const box = await settledBox(editor, stepNode(editor, a));
  await page.mouse.move(box.x + 60, box.y + 20);
  await page.mouse.down();
  await page.mouse.move(box.x + 160, box.y + 120, { steps: 8 });
  await page.mouse.up();
  await page.keyboard.press('Control+s');
  await expect(page.locator('.lm-TabBar-tab.jp-mod-dirty', { hasText: 'keys.orchest' })).toHaveCount(0);
  const saved = await readJSON(request, path);
  const [ax, ay] = saved.steps[a].meta_data.position;
  const [bx, by] = saved.steps[b].meta_data.position;
  expect(ax).toBeGreaterThan(40);
  expect(ay).toBeGreaterThan(40);
  // Moved together: the same offset between them.
  expect(bx - ax).toBe(300);
  expect(by - ay).toBe(0);
  expect(Object.keys(saved.steps)).toEqual([a, b]);
});

test('the properties panel edits a step and validates its parameters', async ({
  page,
  request,
  tmpPath
}) => {
  const folder = `${tmpPath}/props`;
  const a = uuid();
  await createProject(page, folder, {
    'a.ipynb': notebookText(['1']),
    'other.py': 'print("other")\n',
    'props.orchest': pipelineText('props', [
      { uuid: a, title: 'A', file: 'a.ipynb', position: [0, 0], parameters: { rows: 1 } }
    ])
  });
  const path = `${folder}/props.orchest`;
  const editor = await openPipeline(page, path);
  const panel = editor.locator('.orchest-lab-PropertiesPanel');
  // Nothing selected: the pipeline's properties.
  await expect(panel.locator('.orchest-lab-PropertiesPanel-header')).toHaveText('Pipeline');
  await expect(panel.getByLabel('Name')).toHaveValue('props');

  await stepNode(editor, a).click();
  await expect(panel.locator('.orchest-lab-PropertiesPanel-header')).toHaveText('Step');
  const title = panel.getByLabel('Title');
  await title.fill('Prepare');
  await title.press('Enter');
  await expect(stepNode(editor, a).locator('.orchest-lab-StepNode-title')).toHaveText('Prepare');

  const file = panel.getByLabel('File', { exact: true });
  await file.fill('other.txt');
  await expect(panel.locator('.orchest-lab-Field-error')).toContainText('A step runs a notebook');
  await file.fill('other.py');
  await file.press('Enter');
  await expect(stepNode(editor, a)).toHaveAttribute('title', /other\.py/);

  const params = panel.getByLabel('Step parameters');
  await expect(params).toHaveValue(/"rows": 1/);
  await params.fill('{"rows": ');
  await expect(panel.locator('.orchest-lab-JSONField .orchest-lab-Field-error')).toContainText('Not valid JSON');
  await expect(panel.getByRole('button', { name: 'Apply' })).toBeDisabled();
  await params.fill('[1, 2]');
  await expect(panel.locator('.orchest-lab-JSONField .orchest-lab-Field-error')).toContainText(
    'must be a JSON object'
  );
  await params.fill('{"rows": 500, "seed": 7}');
  await panel.getByRole('button', { name: 'Apply' }).click();

  // The environment dropdown lists the project's environments (none here).
  await expect(panel.getByLabel('Environment', { exact: true })).toHaveValue('');
  await expect(panel.locator('.orchest-lab-Field-hint', { hasText: 'no environments' })).toBeVisible();

  await page.keyboard.press('Control+s');
  await expect(page.locator('.lm-TabBar-tab.jp-mod-dirty', { hasText: 'props.orchest' })).toHaveCount(0);
  const saved = await readJSON(request, path);
  expect(saved.steps[a].title).toBe('Prepare');
  expect(saved.steps[a].file_path).toBe('other.py');
  expect(saved.steps[a].parameters).toEqual({ rows: 500, seed: 7 });
});

test("the environment dropdown lists the project's environments", async ({ page }) => {
  // The quickstart project defines the environment "Python 3".
  const editor = await openPipeline(page, 'quickstart.orchest');
  await editor.locator('.orchest-lab-StepNode', { hasText: 'Train' }).click();
  const select = editor
    .locator('.orchest-lab-PropertiesPanel')
    .getByLabel('Environment', { exact: true });
  await expect(select.locator('option')).toHaveText([
    "None (the file's own kernel)",
    /^Python 3/
  ]);
  await select.selectOption({ label: (await select.locator('option').nth(1).textContent())! });
  await expect(select).toHaveValue('0b4cd2f6-9f4e-4bd0-8a0e-3f4c2d1e5a77');
  await expect(page.locator('.lm-TabBar-tab.jp-mod-dirty', { hasText: 'quickstart.orchest' })).toHaveCount(1);
  // Leave the shared example as it was.
  await page.evaluate(() => (window as any).jupyterapp.shell.currentWidget.context.revert());
});
