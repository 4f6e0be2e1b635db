/**
 * Data on the canvas, against a real server and a real run: after a step
 * passed a DataFrame on, its connection says what it passed, follows the next
 * run live, turns stale when the step's file is saved, and a click previews
 * the columns and first rows.
 */
import { IJupyterLabPageFixture, expect, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';

import { createChain, openPipeline, stepNode } from './helpers';

test.use({ viewport: { width: 1440, height: 900 } });

/** A step's script: a DataFrame of `rows` cities passed on as `weather`. */
function producer(rows: number): string {
  return (
    'import orchest, pandas as pd\n' +
    `cities = ['Oslo', 'Lima', 'Pune', 'Kyiv', 'Doha'][:${rows}]\n` +
    "orchest.output(pd.DataFrame({'city': cities, 'temp': [float(i) for i in range(len(cities))]}), name='weather')\n"
  );
}

const CONSUMER = "import orchest\nprint(len(orchest.get_inputs()['weather']))\n";

function runAll(page: IJupyterLabPageFixture): Locator {
  return page
    .locator('.orchest-lab-PipelineEditorDocument .jp-Toolbar')
    .filter({ visible: true })
    .getByRole('button', { name: 'Run all', exact: true });
}

test('a connection shows the DataFrame its step passed, live, and previews it', async ({ page, request, tmpPath }) => {
  test.setTimeout(180_000); // two runs that import pandas, on a shared machine
  const folder = `${tmpPath}/data`;
  const {
    path,
    uuids: [make]
  } = await createChain(page, folder, 'data', [
    { title: 'Make', file: 'make.py', content: producer(3) },
    { title: 'Use', file: 'use.py', content: CONSUMER }
  ]);
  const editor = await openPipeline(page, path);
  const label = editor.locator('.orchest-lab-DataLabel');
  await expect(label).toHaveCount(0);

  await runAll(page).click();
  const bar = editor.locator('.orchest-lab-RunBar');
  await expect(bar).toHaveAttribute('data-run-status', 'SUCCESS', { timeout: 60_000 });
  await expect(label.locator('.orchest-lab-DataLabel-line')).toHaveText(['weather · DataFrame 3×2', /^[\d.]+ kB · memory$/]);

  await label.click();
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toContainText("Data passed by 'Make'");
  const table = dialog.locator('.orchest-lab-DataPreview-table');
  await expect(table.locator('thead .orchest-lab-DataPreview-column')).toHaveText(['city', 'temp']);
  await expect(table.locator('thead .orchest-lab-DataPreview-dtype')).toHaveText([/^(object|str)$/, 'float64']);
  await expect(table.locator('tbody tr')).toHaveText(['0Oslo0.0', '1Lima1.0', '2Pune2.0']);
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toHaveCount(0);

  // The step's own badge opens the same preview.
  await stepNode(editor, make).getByRole('button', { name: 'Preview the data passed by Make' }).click();
  await expect(table.locator('tbody tr')).toHaveCount(3);
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toHaveCount(0);

  // The step now passes more rows: the next run's output replaces the label.
  const written = await request.put(`/api/contents/${folder}/make.py`, {
    data: { content: producer(5), format: 'text', type: 'file' }
  });
  expect(written.ok()).toBe(true);
  await runAll(page).click();
  await expect(label.locator('.orchest-lab-DataLabel-line')).toHaveText(['weather · DataFrame 5×2', /^[\d.]+ kB · memory$/], {
    timeout: 60_000
  });

  // Saving the step's file in JupyterLab outdates its output: the label says so at once.
  await page.evaluate(
    async ({ path, content }) => {
      await (window as any).jupyterapp.serviceManager.contents.save(path, { type: 'file', format: 'text', content });
    },
    { path: `${folder}/make.py`, content: producer(5) + '# changed\n' }
  );
  await expect(label.locator('.orchest-lab-DataLabel-line').nth(1)).toHaveText(/^[\d.]+ kB · memory · stale$/);
  await expect(label).toHaveClass(/orchest-lab-mod-stale/);
});
