/**
 * Helpers shared by the orchest-lab browser tests.
 */
import { IJupyterLabPageFixture, expect } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';

/** Titles of the quickstart example's steps, in file order. */
export const QUICKSTART_TITLES = ['Load data', 'Clean', 'Features', 'Train', 'Report'];

/** Step uuids of `broken.orchest` (see jupyter_server_test_config.py). */
export const BROKEN = {
  load: '11111111-1111-4111-8111-111111111111',
  prepare: '22222222-2222-4222-8222-222222222222',
  check: '33333333-3333-4333-8333-333333333333',
  report: '44444444-4444-4444-8444-444444444444'
};

/** The pipeline editor of the document at `path` (relative to the server root). */
export function pipelineEditor(page: IJupyterLabPageFixture, path: string): Locator {
  return page.locator(`.orchest-lab-PipelineEditor[data-path="${path}"]`);
}

/** Double-click a file at the root of the server in the file browser. */
export async function openFromFileBrowser(
  page: IJupyterLabPageFixture,
  name: string
): Promise<void> {
  await page.filebrowser.openHomeDirectory();
  const item = page
    .getByRole('region', { name: 'File Browser Section' })
    .getByRole('listitem', { name: new RegExp(`^Name: ${name.replace('.', '\\.')}`) });
  await item.dblclick();
  await expect(page.getByRole('main').getByRole('tab', { name: new RegExp(`^${name}`) })).toBeVisible();
}
