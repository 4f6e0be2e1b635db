/**
 * Screenshots of the quickstart pipeline in the light and dark themes, for
 * the documentation (docs/screenshots/).
 */
import { expect, galata, test } from '@jupyterlab/galata';
import * as path from 'path';

import { openFromFileBrowser, pipelineEditor } from './helpers';

const SCREENSHOTS = path.resolve(__dirname, '..', '..', 'docs', 'screenshots');

test.use({
  viewport: { width: 1440, height: 900 },
  // No "Modified 3m ago" column: the images stay the same from run to run.
  mockSettings: {
    ...galata.DEFAULT_SETTINGS,
    '@jupyterlab/filebrowser-extension:browser': { showLastModifiedColumn: false }
  }
});

test('light and dark screenshots of the quickstart pipeline', async ({ page, tmpPath }) => {
  // Show only the example project in the file browser: drop Galata's
  // per-test folder now (its clean-up copes with a missing folder).
  await page.contents.deleteDirectory(tmpPath);
  await openFromFileBrowser(page, 'quickstart.orchest');
  await page.filebrowser.refresh();
  await expect(page.locator('.jp-DirListing-item[data-isdir="true"]')).toHaveCount(0);
  const editor = pipelineEditor(page, 'quickstart.orchest');
  await expect(editor.locator('.orchest-lab-ValidationStatus')).toHaveText('Valid pipeline');
  await page.mouse.move(0, 400);

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
    await page.waitForTimeout(500); // let the theme's CSS settle
    await page.screenshot({ path: path.join(SCREENSHOTS, `pipeline-editor-${theme}.png`) });
  }
});
