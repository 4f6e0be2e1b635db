/**
 * The file palette beside the canvas: the project's notebooks and scripts,
 * filtered as the user types, dragged onto the canvas to become steps.
 */
import { expect, test } from '@jupyterlab/galata';

import { createProject, notebookText, openPipeline, pipelineText, readJSON, viewSettled } from './helpers';

test.use({ viewport: { width: 1280, height: 800 } });

test('the palette lists the project’s notebooks and scripts; one dragged onto the canvas becomes a step there', async ({
  page,
  request,
  tmpPath
}) => {
  const folder = `${tmpPath}/pal`;
  await createProject(page, folder, {
    'load.ipynb': notebookText(['print(1)']),
    'clean.py': 'print(2)\n',
    'data.csv': 'a,b\n',
    'models/train.ipynb': notebookText(['print(3)']),
    'empty.orchest': pipelineText('empty', [])
  });
  const editor = await openPipeline(page, `${folder}/empty.orchest`);
  const palette = editor.getByLabel('Notebooks and scripts');
  // Under 1100 px the editor leaves the canvas the room: the list is one click away.
  await expect(palette).toHaveCount(0);
  await editor.getByRole('button', { name: 'Show the files' }).click();
  await expect(palette.getByRole('listitem')).toHaveText(['clean.py', 'load.ipynb', 'models/train.ipynb']);

  await editor.getByRole('searchbox', { name: 'Filter files' }).fill('train');
  await expect(palette.getByRole('listitem')).toHaveText(['models/train.ipynb']);

  // Dragged onto the canvas: a step for the file, where it was dropped.
  const item = palette.getByRole('listitem').first();
  const from = (await item.boundingBox())!;
  const canvas = (await editor.locator('.orchest-lab-PipelineGraph').boundingBox())!;
  const to = { x: canvas.x + canvas.width * 0.6, y: canvas.y + canvas.height * 0.4 };
  await page.mouse.move(from.x + 20, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(from.x + 40, from.y + from.height / 2, { steps: 4 });
  await page.mouse.move(to.x, to.y, { steps: 10 });
  await page.mouse.up();
  const step = editor.locator('.orchest-lab-StepNode');
  await expect(step).toHaveCount(1);
  await expect(step.locator('.orchest-lab-StepNode-title')).toHaveText('train');
  await viewSettled(editor);
  const box = (await step.boundingBox())!;
  expect(Math.abs(box.x + box.width / 2 - to.x)).toBeLessThan(box.width / 2);
  expect(Math.abs(box.y + box.height / 2 - to.y)).toBeLessThan(box.height);

  // Double-click adds one too; the palette hides and comes back.
  await editor.getByRole('searchbox', { name: 'Filter files' }).fill('');
  await palette.getByRole('listitem').filter({ hasText: 'clean.py' }).dblclick();
  await expect(step).toHaveCount(2);
  await editor.getByRole('button', { name: 'Hide the files' }).click();
  await expect(palette).toHaveCount(0);
  await editor.getByRole('button', { name: 'Show the files' }).click();
  await expect(palette.getByRole('listitem')).toHaveCount(3);

  await editor.locator('.orchest-lab-PipelineGraph').focus();
  await page.keyboard.press('Control+s');
  await expect(page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab.jp-mod-dirty', { hasText: 'empty.orchest' })).toHaveCount(0);
  await expect(editor.locator('.orchest-lab-ValidationStatus')).toHaveText('Valid pipeline');
  const saved = await readJSON(request, `${folder}/empty.orchest`);
  expect(Object.values(saved.steps).map((s: any) => s.file_path)).toEqual(['models/train.ipynb', 'clean.py']);
});
