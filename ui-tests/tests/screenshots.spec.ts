/**
 * Screenshots of the pipeline editor for the documentation
 * (docs/screenshots/), in the light and dark themes: the quickstart
 * pipeline in the middle of a run (statuses on the nodes, the run bar, the
 * properties of the running step) beside the Pipelines sidebar.
 *
 * The run shown is served by the test (fixed times, a fixed clock), so the
 * images are the same from one test run to the next; its statuses are the
 * ones a real run goes through. The images are written only by
 * `make screenshots` (UPDATE_SCREENSHOTS=1): in `make test` the spec checks
 * what the images would show and leaves the work tree as it found it.
 */
import { expect, galata, test } from '@jupyterlab/galata';
import * as path from 'path';

import { openNotebook, pipelineEditor, runCommand } from './helpers';
import { writeScreenshot } from './png';

const SCREENSHOTS = path.resolve(__dirname, '..', '..', 'docs', 'screenshots');
const UPDATE = process.env.UPDATE_SCREENSHOTS === '1';

const RUN_ID = '5f1c9a3e-2b7d-4c11-9e0a-3d2b1c4e5f60';
const T0 = Date.parse('2026-03-02T09:30:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

/** Quickstart's steps: [uuid, title, file, status, started (s), finished (s)]. */
const STEPS: [string, string, string, string, number | null, number | null][] = [
  ['2f6f1d2a-7c1b-4e8a-9c43-5a1b0e6d8f01', 'Load data', 'load.ipynb', 'SUCCESS', 0.2, 0.9],
  ['8c3e5b7d-1a2f-4c6d-8e9f-0a1b2c3d4e02', 'Clean', 'clean.py', 'SUCCESS', 1.0, 1.4],
  ['4d5e6f70-8192-4a3b-9c4d-5e6f7a8b9c03', 'Features', 'features.ipynb', 'SUCCESS', 1.0, 2.3],
  ['a1b2c3d4-e5f6-4789-8abc-def012345604', 'Train', 'train.ipynb', 'STARTED', 2.4, null],
  ['f0e1d2c3-b4a5-4968-8776-655443322105', 'Report', 'report.sh', 'PENDING', null, null]
];

const RUN = {
  id: RUN_ID,
  pipeline_path: 'quickstart.orchest',
  pipeline_name: 'quickstart',
  mode: 'full',
  kind: 'interactive',
  status: 'STARTED',
  created_at: at(0),
  started_at: at(0.1),
  finished_at: null,
  reason: null,
  progress: { done: 3, total: 5 },
  steps: STEPS.map(([uuid, title, file_path, status, started, finished]) => ({
    uuid,
    title,
    file_path,
    status,
    started_at: started === null ? null : at(started),
    finished_at: finished === null ? null : at(finished),
    failure: null,
    reason: null
  }))
};

const SUMMARY = { ...RUN, steps: { SUCCESS: 3, STARTED: 1, PENDING: 1 } };

test.use({
  viewport: { width: 1440, height: 900 },
  // No "Modified 3m ago" column: the images stay the same from run to run.
  mockSettings: {
    ...galata.DEFAULT_SETTINGS,
    '@jupyterlab/filebrowser-extension:browser': { showLastModifiedColumn: false }
  }
});

test('light and dark screenshots of the quickstart pipeline during a run', async ({
  page,
  tmpPath
}) => {
  // 12 s into the Train step, for ever.
  await page.clock.setFixedTime(T0 + 14_400);
  await page.route(/\/orchest-lab\/api\/runs(\?.*)?$/, route =>
    route.fulfill({ json: { runs: [SUMMARY] } })
  );
  await page.route(new RegExp(`/orchest-lab/api/runs/${RUN_ID}(\\?.*)?$`), route =>
    route.fulfill({ json: RUN })
  );
  // Only the example project in the server: drop Galata's per-test folder
  // now (its clean-up copes with a missing folder).
  await page.contents.deleteDirectory(tmpPath);

  await page.evaluate(() =>
    (window as any).jupyterapp.commands.execute('orchest-lab:show-pipelines')
  );
  const sidebar = page.locator('#orchest-lab-pipelines-sidebar');
  await expect(sidebar.locator('.orchest-lab-PipelineItem')).toHaveCount(2);
  await expect(
    sidebar.locator('.orchest-lab-PipelineItem[data-path="quickstart.orchest"] .orchest-lab-StatusBadge')
  ).toHaveText('Running 3/5');

  await page.evaluate(() =>
    (window as any).jupyterapp.commands.execute('docmanager:open', {
      path: 'quickstart.orchest',
      factory: 'Pipeline Editor'
    })
  );
  const editor = pipelineEditor(page, 'quickstart.orchest');
  await expect(editor.locator('.orchest-lab-ValidationStatus')).toHaveText('Valid pipeline');
  await expect(editor.locator('.orchest-lab-StepNode[data-run-status]')).toHaveCount(5);
  await expect(editor.locator('.orchest-lab-RunBar')).toContainText('3 of 5 steps');
  await editor.locator('.orchest-lab-StepNode', { hasText: 'Train' }).click();
  await expect(editor.locator('.orchest-lab-PropertiesPanel-header')).toHaveText('Step');
  await page.evaluate(() => (window as any).jupyterapp.commands.execute('orchest-lab:fit-view'));
  await page.mouse.move(700, 880);

  for (const theme of ['light', 'dark'] as const) {
    if (theme === 'dark') {
      await page.theme.setDarkTheme();
    }
    await expect(page.locator('body')).toHaveAttribute(
      'data-jp-theme-light',
      theme === 'light' ? 'true' : 'false'
    );
    await expect(editor.locator('.orchest-lab-StepNode')).toHaveCount(5);
    await expect(editor.locator('.react-flow__edge')).toHaveCount(5);
    await expect(editor.locator('.orchest-lab-StepNode--started')).toContainText('12 s');
    if (UPDATE) {
      // The theme's fonts are loaded, not just its stylesheet.
      await page.evaluate(() => document.fonts.ready.then(() => undefined));
      const image = await page.screenshot({ animations: 'disabled' });
      writeScreenshot(path.join(SCREENSHOTS, `pipeline-editor-${theme}.png`), image);
    }
  }
});

test.describe('beside a notebook', () => {
  test.use({ viewport: { width: 1280, height: 800 } });

  test('screenshot of the editor beside a notebook split at 1280×800', async ({ page, tmpPath }) => {
    // Only the example project; the file browser leaves the folder first.
    await page.filebrowser.openHomeDirectory();
    await page.contents.deleteDirectory(tmpPath);
    await page.sidebar.close('left');
    await runCommand(page, 'docmanager:open', { path: 'quickstart.orchest', factory: 'Pipeline Editor' });
    const editor = pipelineEditor(page, 'quickstart.orchest');
    await expect(editor.locator('.orchest-lab-ValidationStatus')).toHaveText('Valid pipeline');
    await openNotebook(page, 'train.ipynb', 'split-right');
    await expect(editor.locator('.orchest-lab-StepNode')).toHaveCount(5);
    await expect(editor.locator('.react-flow[data-view-moving]')).toHaveCount(0);
    // What the image shows: the canvas keeps most of the editor, readable.
    const canvas = (await editor.locator('.orchest-lab-PipelineGraph').boundingBox())!;
    const whole = (await editor.boundingBox())!;
    expect(canvas.width).toBeGreaterThan(whole.width * 0.8);
    await expect(page.locator('.jp-Dialog')).toHaveCount(0);
    await page.mouse.move(640, 790);
    if (UPDATE) {
      await page.evaluate(() => document.fonts.ready.then(() => undefined));
      const image = await page.screenshot({ animations: 'disabled' });
      writeScreenshot(path.join(SCREENSHOTS, 'pipeline-editor-split.png'), image);
    }
  });
});
