/**
 * Validation shown in the editor: the issue list and the decorated steps of
 * broken.orchest (a cycle Prepare <-> Check, a missing notebook, an unknown
 * environment).
 */
import { expect, test } from '@jupyterlab/galata';

import { BROKEN, openFromFileBrowser, pipelineEditor } from './helpers';

test('a broken pipeline lists its issues and decorates the offending steps', async ({
  page
}) => {
  await openFromFileBrowser(page, 'broken.orchest');
  const editor = pipelineEditor(page, 'broken.orchest');
  await expect(editor.locator('.orchest-lab-StepNode')).toHaveCount(4);
  await expect(editor.locator('.react-flow__edge')).toHaveCount(4);

  await expect(editor.locator('.orchest-lab-ValidationStatus')).toHaveText(
    'Invalid pipeline: 2 errors, 1 warning'
  );
  const list = editor.locator('.orchest-lab-IssueList');
  const cycle = list.locator('.orchest-lab-Issue[data-code="cycle"]');
  await expect(cycle).toHaveCount(1);
  await expect(cycle).toContainText("'Prepare' -> 'Check' -> 'Prepare'");
  const missing = list.locator('.orchest-lab-Issue[data-code="missing-file"]');
  await expect(missing).toContainText("file 'prepare.ipynb' does not exist");
  await expect(missing.locator('.orchest-lab-Issue-step')).toHaveText('Prepare');
  await expect(missing.locator('.orchest-lab-Issue-severity')).toHaveText('Error');
  const environment = list.locator('.orchest-lab-Issue[data-code="unknown-environment"]');
  await expect(environment.locator('.orchest-lab-Issue-severity')).toHaveText('Warning');

  const node = (uuid: string) => editor.locator(`.orchest-lab-StepNode[data-step-uuid="${uuid}"]`);
  // Both steps of the cycle are errors; the missing file is on Prepare too.
  await expect(node(BROKEN.prepare)).toHaveClass(/orchest-lab-StepNode--error/);
  await expect(node(BROKEN.check)).toHaveClass(/orchest-lab-StepNode--error/);
  await expect(node(BROKEN.report)).toHaveClass(/orchest-lab-StepNode--warning/);
  await expect(node(BROKEN.load)).not.toHaveClass(/orchest-lab-StepNode--(error|warning)/);
  await expect(node(BROKEN.prepare)).toHaveAttribute('title', /does not exist/);
  await expect(node(BROKEN.prepare).locator('.orchest-lab-StepNode-badge')).toHaveText('2');
  // The connections that close the cycle are drawn as errors.
  await expect(editor.locator('.orchest-lab-Connection--cycle')).toHaveCount(2);

  // Clicking an issue selects its step.
  await missing.click();
  await expect(node(BROKEN.prepare)).toHaveClass(/orchest-lab-mod-selected/);
  await environment.click();
  await expect(node(BROKEN.report)).toHaveClass(/orchest-lab-mod-selected/);
  await expect(node(BROKEN.prepare)).not.toHaveClass(/orchest-lab-mod-selected/);
  // Re-rendering for a selection keeps every connection drawn.
  await expect(editor.locator('.react-flow__edge')).toHaveCount(4);
});

test('a server error is shown in the issue panel instead of a crash', async ({ page }) => {
  await page.route('**/orchest-lab/api/pipelines/validate*', route =>
    route.fulfill({
      status: 500,
      contentType: 'application/json',
      body: JSON.stringify({ message: 'validation exploded' })
    })
  );
  await openFromFileBrowser(page, 'quickstart.orchest');
  const editor = pipelineEditor(page, 'quickstart.orchest');
  await expect(editor.locator('.orchest-lab-ValidationStatus')).toHaveText('Could not validate');
  await expect(editor.locator('.orchest-lab-IssuePanel-error')).toHaveText(
    'The server could not validate this pipeline: validation exploded'
  );
  // The graph is still drawn.
  await expect(editor.locator('.orchest-lab-StepNode')).toHaveCount(5);
  await expect(editor.locator('.react-flow__edge')).toHaveCount(5);
});
