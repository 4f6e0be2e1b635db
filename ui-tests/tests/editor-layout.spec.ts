/**
 * The canvas as a new user meets it (issue 13): new steps land on free,
 * visible places; the cycle refusal names the real loop; handles show and
 * text is readable at the fitted zoom; the properties panel resizes and
 * collapses, the minimap hides, and the view refits beside a notebook; long
 * chains are wrapped by the automatic layout.
 */
import { IJupyterLabPageFixture, expect, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';

import {
  createChain,
  createProject,
  notebookText,
  openNotebook,
  openPipeline,
  pipelineText,
  runCommand,
  settledBox,
  stepNode,
  uuid,
  viewSettled
} from './helpers';

test.use({ viewport: { width: 1280, height: 800 } });

type Box = { x: number; y: number; width: number; height: number };

const overlap = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

const inside = (outer: Box, inner: Box) =>
  inner.x >= outer.x - 1 &&
  inner.y >= outer.y - 1 &&
  inner.x + inner.width <= outer.x + outer.width + 1 &&
  inner.y + inner.height <= outer.y + outer.height + 1;

/** `count` steps of a chain, laid out left to right (300 px apart). */
function chainSteps(count: number) {
  return Array.from({ length: count }, (_, i) => ({
    title: `Step ${i + 1}`,
    file: `step${i + 1}.py`,
    content: `print(${i + 1})\n`
  }));
}

/** The canvas's zoom (the scale of its viewport transform). */
async function zoomOf(editor: Locator): Promise<number> {
  await viewSettled(editor);
  return editor
    .locator('.react-flow__viewport')
    .evaluate(element => new DOMMatrixReadOnly(getComputedStyle(element).transform).a);
}

/** The boxes of every step node of an editor, on screen. */
async function nodeBoxes(editor: Locator): Promise<Box[]> {
  await viewSettled(editor);
  const nodes = editor.locator('.orchest-lab-StepNode');
  const boxes: Box[] = [];
  for (let i = 0; i < (await nodes.count()); i++) {
    boxes.push((await nodes.nth(i).boundingBox())!);
  }
  return boxes;
}

/** Draw a connection from a node's output handle to another node's input. */
async function connect(page: IJupyterLabPageFixture, editor: Locator, from: Locator, to: Locator) {
  const source = await settledBox(editor, from.locator('.react-flow__handle.source'));
  const target = await settledBox(editor, to.locator('.react-flow__handle.target'));
  await page.mouse.move(source.x + source.width / 2, source.y + source.height / 2);
  await page.mouse.down();
  await page.mouse.move(target.x + target.width / 2, target.y + target.height / 2, { steps: 12 });
  await page.mouse.up();
}

/** Create a step with a new notebook through the `N` key or the toolbar's + (accepting the name). */
async function newStep(page: IJupyterLabPageFixture, editor: Locator, how: 'key' | 'toolbar') {
  const before = await editor.locator('.orchest-lab-StepNode').count();
  if (how === 'key') {
    await editor.locator('.orchest-lab-PipelineGraph').focus();
    await page.keyboard.press('n');
  } else {
    await page.locator('.jp-Toolbar-item[data-jp-item-name="new-step"]:visible button').click();
  }
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(editor.locator('.orchest-lab-StepNode')).toHaveCount(before + 1);
}

test('new steps from N and + land on free places inside the view, never on a step', async ({ page, tmpPath }) => {
  const { path } = await createChain(page, `${tmpPath}/p`, 'placing', chainSteps(3));
  await page.filebrowser.openDirectory(`${tmpPath}/p`);
  const editor = await openPipeline(page, path);
  const canvas = editor.locator('.orchest-lab-PipelineGraph');
  await expect(editor.locator('.orchest-lab-StepNode')).toHaveCount(3);

  for (const how of ['key', 'key', 'toolbar', 'key'] as const) {
    await newStep(page, editor, how);
  }
  // Without a selection too: the view's middle is taken by now.
  await canvas.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await expect(editor.locator('.orchest-lab-StepNode.orchest-lab-mod-selected')).toHaveCount(0);
  await newStep(page, editor, 'key');

  const view = (await canvas.boundingBox())!;
  const boxes = await nodeBoxes(editor);
  expect(boxes).toHaveLength(8);
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      expect(overlap(boxes[i], boxes[j]), `steps ${i} and ${j} overlap`).toBe(false);
    }
  }
  // The new ones are where the user looks.
  for (const box of boxes.slice(3)) {
    expect(inside(view, box)).toBe(true);
  }
});

test('a new step beyond the edge of a crowded view is brought into view', async ({ page, tmpPath }) => {
  // A grid of steps filling the view around its middle.
  const steps = [];
  for (let row = 0; row < 6; row++) {
    for (let column = 0; column < 6; column++) {
      steps.push({
        uuid: uuid(),
        title: `S${row}${column}`,
        file: 's.py',
        position: [column * 210, row * 70] as [number, number]
      });
    }
  }
  const folder = `${tmpPath}/crowd`;
  await createProject(page, folder, { 's.py': 'print(1)\n', 'crowd.orchest': pipelineText('crowd', steps) });
  await page.filebrowser.openDirectory(folder);
  const editor = await openPipeline(page, `${folder}/crowd.orchest`);
  await expect(editor.locator('.orchest-lab-StepNode')).toHaveCount(36);
  await newStep(page, editor, 'key');
  const canvas = (await editor.locator('.orchest-lab-PipelineGraph').boundingBox())!;
  const boxes = await nodeBoxes(editor);
  const added = boxes[36];
  for (const box of boxes.slice(0, 36)) {
    expect(overlap(box, added)).toBe(false);
  }
  expect(inside(canvas, added)).toBe(true);
});

test('the cycle refusal names the real loop, closed; so does the validator', async ({ page, tmpPath }) => {
  const { path, uuids } = await createChain(page, `${tmpPath}/c`, 'loop', [
    { title: 'a', file: 'a.py', content: '' },
    { title: 'b', file: 'b.py', content: '' },
    { title: 'c', file: 'c.py', content: '' }
  ]);
  const editor = await openPipeline(page, path);
  await connect(page, editor, stepNode(editor, uuids[2]), stepNode(editor, uuids[0]));
  await expect(page.locator('.Toastify__toast').filter({ hasText: 'would make a cycle' })).toContainText(
    "Connecting 'c' to 'a' would make a cycle: 'c' → 'a' → 'b' → 'c'."
  );
  await expect(editor.locator('.react-flow__edge')).toHaveCount(2);

  // A file with a loop: the validator names it closed as well.
  const [a, b] = [uuid(), uuid()];
  await createProject(page, `${tmpPath}/c2`, {
    'x.py': '',
    'cyclic.orchest': pipelineText('cyclic', [
      { uuid: a, title: 'a', file: 'x.py', parents: [b], position: [0, 0] },
      { uuid: b, title: 'b', file: 'x.py', parents: [a], position: [300, 0] }
    ])
  });
  const cyclic = await openPipeline(page, `${tmpPath}/c2/cyclic.orchest`);
  await expect(cyclic.locator('.orchest-lab-IssuePanel')).toContainText(
    /'a' -> 'b' -> 'a'|'b' -> 'a' -> 'b'/
  );
});

test('handles show without hovering, and a 5-step pipeline is fitted at a readable zoom', async ({ page, tmpPath }) => {
  const { path, uuids } = await createChain(page, `${tmpPath}/r`, 'five', chainSteps(5));
  const editor = await openPipeline(page, path);
  await expect(editor.locator('.orchest-lab-StepNode')).toHaveCount(5);
  await page.mouse.move(0, 0);
  const handle = stepNode(editor, uuids[1]).locator('.react-flow__handle.target');
  const opacity = await handle.evaluate(element => Number(getComputedStyle(element).opacity));
  expect(opacity).toBeGreaterThan(0.3);

  const zoom = await zoomOf(editor);
  const title = editor.locator('.orchest-lab-StepNode-title').first();
  const fontSize = await title.evaluate(element => parseFloat(getComputedStyle(element).fontSize));
  // What the eye sees: the text's size on screen, in pixels.
  expect(fontSize * zoom).toBeGreaterThanOrEqual(10);
  // The middle of the pipeline is in view.
  const canvas = (await editor.locator('.orchest-lab-PipelineGraph').boundingBox())!;
  expect(inside(canvas, (await stepNode(editor, uuids[2]).boundingBox())!)).toBe(true);
});

test('the properties panel resizes and collapses, remembered after a reload; the minimap hides', async ({
  page,
  tmpPath
}) => {
  const { path } = await createChain(page, `${tmpPath}/l`, 'panel', chainSteps(3));
  const editor = await openPipeline(page, path);
  const panel = editor.locator('.orchest-lab-SidePanel');
  const before = (await panel.boundingBox())!;
  const handle = editor.getByRole('separator', { name: 'Resize the properties' });
  const grip = (await handle.boundingBox())!;
  await page.mouse.move(grip.x + grip.width / 2, grip.y + 100);
  await page.mouse.down();
  await page.mouse.move(grip.x + grip.width / 2 - 120, grip.y + 100, { steps: 8 });
  await page.mouse.up();
  const widened = before.width + 120;
  await expect.poll(async () => Math.abs((await panel.boundingBox())!.width - widened)).toBeLessThanOrEqual(2);

  const minimap = editor.locator('.react-flow__minimap');
  await expect(minimap).toBeVisible();
  await editor.getByRole('button', { name: 'Hide the overview' }).click();
  await expect(minimap).toHaveCount(0);

  await editor.getByRole('button', { name: 'Hide the properties' }).click();
  await expect(panel).toHaveCount(0);
  const canvasWidth = (await editor.locator('.orchest-lab-PipelineGraph').boundingBox())!.width;
  expect(canvasWidth).toBeGreaterThan(before.x - (await editor.boundingBox())!.x);

  // Remembered: the next page load shows the editor as the user left it.
  await page.reload({ waitForIsReady: false });
  const again = await openPipeline(page, path);
  await expect(again.locator('.orchest-lab-StepNode')).toHaveCount(3);
  await expect(again.locator('.orchest-lab-SidePanel')).toHaveCount(0);
  await expect(again.locator('.react-flow__minimap')).toHaveCount(0);
  await again.getByRole('button', { name: 'Show the properties' }).click();
  await expect
    .poll(async () => Math.abs((await again.locator('.orchest-lab-SidePanel').boundingBox())!.width - widened))
    .toBeLessThanOrEqual(2);
  await again.getByRole('button', { name: 'Show the overview' }).click();
  await expect(again.locator('.react-flow__minimap')).toBeVisible();
});

test('beside a notebook at 1280×800 the graph is refitted and the minimap steps aside', async ({ page, tmpPath }) => {
  const folder = `${tmpPath}/s`;
  const { path, uuids } = await createChain(page, folder, 'split', chainSteps(3), {
    'notes.ipynb': notebookText(['1 + 1'])
  });
  const editor = await openPipeline(page, path);
  await expect(editor.locator('.react-flow__minimap')).toBeVisible();
  const wide = await zoomOf(editor);

  await openNotebook(page, `${folder}/notes.ipynb`, 'split-right');
  const canvas = editor.locator('.orchest-lab-PipelineGraph');
  await expect.poll(async () => (await canvas.boundingBox())!.width).toBeLessThan(480);
  // Too narrow for an overview: the canvas is left to the steps.
  await expect(editor.locator('.react-flow__minimap')).toHaveCount(0);
  // Narrow: the panels step aside (a bar each brings them back), the canvas gets the room.
  await expect(editor.locator('.orchest-lab-SidePanel')).toHaveCount(0);
  await expect(editor.getByRole('button', { name: 'Show the properties' })).toBeVisible();
  expect((await canvas.boundingBox())!.width).toBeGreaterThan(350);
  // Refitted: the middle step is in view, still readable.
  await expect.poll(async () => inside((await canvas.boundingBox())!, (await stepNode(editor, uuids[1]).boundingBox())!)).toBe(true);
  expect(await zoomOf(editor)).toBeLessThanOrEqual(wide);
});

test('automatic layout wraps a 300-step chain into rows that fit at a usable zoom', async ({ page, tmpPath }) => {
  test.setTimeout(120_000);
  const uuids = Array.from({ length: 300 }, () => uuid());
  const steps = uuids.map((id, i) => ({
    uuid: id,
    title: `s${i}`,
    file: 's.py',
    parents: i > 0 ? [uuids[i - 1]] : [],
    position: [i * 300, 0] as [number, number]
  }));
  const folder = `${tmpPath}/long`;
  await createProject(page, folder, { 's.py': '', 'long.orchest': pipelineText('long', steps) });
  const editor = await openPipeline(page, `${folder}/long.orchest`);
  await expect(editor.locator('.react-flow__node').first()).toBeVisible();
  await runCommand(page, 'orchest-lab:auto-layout');
  // Rows: many steps share a height (one row would have them all at one).
  await expect
    .poll(() =>
      page.evaluate(path => {
        const app = (window as any).jupyterapp;
        for (const widget of app.shell.widgets('main')) {
          if (widget.context?.localPath === path) {
            const ys = widget.content.model.steps.map((step: any) => step.position[1]);
            return new Set(ys).size;
          }
        }
        return 0;
      }, `${folder}/long.orchest`)
    )
    .toBeGreaterThan(10);
  // One row would be 87 000 px wide: the fit would stop at the minimum zoom, 0.05.
  await expect.poll(() => zoomOf(editor), { timeout: 30_000 }).toBeGreaterThan(0.08);
});

test('a pipeline opened during its run shows its steps in the minimap', async ({ page, tmpPath }) => {
  const { path, uuids } = await createChain(page, `${tmpPath}/m`, 'running', chainSteps(4));
  const runId = uuid();
  const started = new Date(Date.now() - 5000).toISOString();
  const statuses = ['SUCCESS', 'STARTED', 'PENDING', 'PENDING'];
  const run = {
    id: runId,
    pipeline_path: path,
    pipeline_name: 'running',
    mode: 'full',
    kind: 'interactive',
    status: 'STARTED',
    created_at: started,
    started_at: started,
    finished_at: null,
    reason: null,
    progress: { done: 1, total: 4 },
    steps: uuids.map((id, i) => ({
      uuid: id,
      title: `Step ${i + 1}`,
      file_path: `step${i + 1}.py`,
      status: statuses[i],
      started_at: i < 2 ? started : null,
      finished_at: i === 0 ? started : null,
      failure: null,
      reason: null
    }))
  };
  const summary = { ...run, steps: { SUCCESS: 1, STARTED: 1, PENDING: 2 } };
  await page.route(/\/orchest-lab\/api\/runs(\?.*)?$/, route => route.fulfill({ json: { runs: [summary] } }));
  await page.route(new RegExp(`/orchest-lab/api/runs/${runId}(\\?.*)?$`), route => route.fulfill({ json: run }));

  const editor = await openPipeline(page, path);
  await expect(editor.locator('.orchest-lab-StepNode[data-run-status]')).toHaveCount(4);
  await expect(editor.locator('.react-flow__minimap')).toBeVisible();
  await expect(editor.locator('.react-flow__minimap-node')).toHaveCount(4);
  await expect(editor.locator('.react-flow__minimap-node.orchest-lab-MiniMapNode--started')).toHaveCount(1);
});

test('a step log opened beside a notebook split leaves the canvas usable', async ({ page, tmpPath }) => {
  const folder = `${tmpPath}/g`;
  const { path, uuids } = await createChain(page, folder, 'logs', chainSteps(3), {
    'notes.ipynb': notebookText(['1 + 1'])
  });
  const editor = await openPipeline(page, path);
  await openNotebook(page, `${folder}/notes.ipynb`, 'split-right');
  const canvas = editor.locator('.orchest-lab-PipelineGraph');
  await editor.click({ position: { x: 5, y: 5 } });
  await runCommand(page, 'orchest-lab:show-log', { runId: uuid(), stepUuid: uuids[0], title: 'Step 1' });
  await expect(page.locator('.orchest-lab-LogView')).toBeVisible();
  // Still a canvas to work on: wide and high enough for a few steps.
  await expect.poll(async () => (await canvas.boundingBox())?.width ?? 0).toBeGreaterThan(300);
  const box = (await canvas.boundingBox())!;
  expect(box.height).toBeGreaterThan(200);
  await expect(stepNode(editor, uuids[1])).toBeVisible();
});
