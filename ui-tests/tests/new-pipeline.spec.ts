/**
 * Creating pipelines from the Launcher and from File > New.
 */
import { expect, test } from '@jupyterlab/galata';
import { APIRequestContext } from '@playwright/test';

import { pipelineEditor } from './helpers';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The parsed content of a file on the server. */
async function readPipeline(request: APIRequestContext, path: string): Promise<any> {
  const response = await request.get(`/api/contents/${path}?content=1&type=file&format=text`);
  expect(response.ok()).toBe(true);
  return JSON.parse((await response.json()).content);
}

/** Checks the new pipeline `name` under `folder` is open, empty and valid. */
async function expectNewPipeline(
  page: Parameters<Parameters<typeof test>[1]>[0]['page'],
  request: APIRequestContext,
  folder: string,
  name: string
) {
  const path = `${folder}/${name}.orchest`;
  await expect(page.getByRole('main').getByRole('tab', { name: `${name}.orchest` })).toBeVisible();
  const editor = pipelineEditor(page, path);
  await expect(editor.locator('.orchest-lab-PipelineGraph-empty')).toHaveText(
    /^This pipeline has no steps yet/
  );
  await expect(editor.locator('.orchest-lab-ValidationStatus')).toHaveText('Valid pipeline');
  const pipeline = await readPipeline(request, path);
  expect(pipeline).toEqual({
    name,
    parameters: {},
    settings: { auto_eviction: false, data_passing_memory_size: '1GB', max_steps_parallelism: 0 },
    steps: {},
    uuid: expect.stringMatching(UUID_V4),
    version: '1.0.0'
  });
  return pipeline;
}

test('the Launcher tile and File > New > Pipeline create and open new pipelines', async ({
  page,
  request,
  tmpPath
}) => {
  // Galata opens the Launcher with the file browser in tmpPath.
  const tile = page.locator('.jp-LauncherCard[title="Create a new Orchest pipeline"]');
  await expect(tile).toContainText('Pipeline');
  await tile.click();
  const first = await expectNewPipeline(page, request, tmpPath, 'untitled');

  await page.menu.clickMenuItem('File>New>Pipeline');
  const second = await expectNewPipeline(page, request, tmpPath, 'untitled1');
  expect(second.uuid).not.toBe(first.uuid);

  await expect(page.locator('.jp-DirListing-item[title^="Name: untitled1.orchest"]')).toHaveCount(1);
});

test('"New Pipeline" in the file browser context menu creates a pipeline there', async ({
  page,
  request,
  tmpPath
}) => {
  await page.locator('.jp-DirListing-content').click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'New Pipeline' }).click();
  await expectNewPipeline(page, request, tmpPath, 'untitled');
});
