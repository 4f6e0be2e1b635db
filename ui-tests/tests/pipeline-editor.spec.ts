/**
 * Opening pipelines: the Pipeline Editor is the default for .orchest files,
 * draws the steps and connections, and follows the document's text.
 */
import { expect, test } from '@jupyterlab/galata';

import { QUICKSTART_TITLES, openFromFileBrowser, pipelineEditor, viewSettled } from './helpers';

test.describe('Opening a pipeline', () => {
  // Go to the page in the test, to see console errors from the very start.
  test.use({ autoGoto: false });

  test('double-clicking a pipeline shows its 5 steps and 5 connections', async ({ page }) => {
    // Errors from the start: plugin activation and settings loading included.
    const errors: string[] = [];
    page.on('console', message => {
      if (message.type() === 'error') {
        errors.push(message.text());
      }
    });
    page.on('pageerror', error => errors.push(error.message));
    await page.goto();
    await openFromFileBrowser(page, 'quickstart.orchest');
    const editor = pipelineEditor(page, 'quickstart.orchest');
    await expect(editor).toBeVisible();

    const nodes = editor.locator('.orchest-lab-StepNode');
    await expect(nodes).toHaveCount(5);
    await expect(editor.locator('.orchest-lab-StepNode-title')).toHaveText(QUICKSTART_TITLES);
    await expect(nodes.filter({ hasText: 'Train' })).toContainText('train.ipynb');
    await expect(nodes.first()).toHaveAttribute('data-step-uuid', /^[0-9a-f-]{36}$/);

    const edges = editor.locator('.react-flow__edge');
    await expect(edges).toHaveCount(5);
    // Fan-out from "Load data", fan-in to "Train".
    const load = await nodes.filter({ hasText: 'Load data' }).getAttribute('data-step-uuid');
    const train = await nodes.filter({ hasText: 'Train' }).getAttribute('data-step-uuid');
    await expect(editor.locator(`[data-id^="${load}->"]`)).toHaveCount(2);
    await expect(editor.locator(`[data-id$="->${train}"]`)).toHaveCount(2);

    await expect(editor.locator('.orchest-lab-ValidationStatus')).toHaveText('Valid pipeline');
    await expect(editor.locator('.orchest-lab-Issue')).toHaveCount(0);
    await expect(editor.locator('.orchest-lab-StepNode--error')).toHaveCount(0);
    expect(errors).toEqual([]);
  });
});

test.describe('Pipeline Editor', () => {
  test('follows text edits, and keeps the last graph while the JSON is invalid', async ({
    page
  }) => {
    await openFromFileBrowser(page, 'quickstart.orchest');
    const editor = pipelineEditor(page, 'quickstart.orchest');
    await expect(editor.locator('.orchest-lab-StepNode')).toHaveCount(5);

    // Edit the shared text model, as "Open With > Editor" would.
    const setText = (edit: 'rename' | 'break' | 'revert') =>
      page.evaluate(async edit => {
        const app = (window as any).jupyterapp;
        const widget = app.shell.currentWidget;
        const model = widget.context.model;
        if (edit === 'revert') {
          await widget.context.revert();
        } else if (edit === 'rename') {
          model.fromString(model.toString().replace('"title": "Clean"', '"title": "Scrub"'));
        } else {
          model.fromString(model.toString().replace('"title": "Scrub",', '"title": "Scrub"'));
        }
      }, edit);

    await setText('rename');
    await expect(editor.locator('.orchest-lab-StepNode-title')).toContainText(['Scrub']);
    await expect(editor.locator('.react-flow__edge')).toHaveCount(5);

    await setText('break');
    const issue = editor.locator('.orchest-lab-Issue[data-code="invalid-json"]');
    await expect(issue).toHaveCount(1);
    // The comma after the title (line 29) is missing: the next key is unexpected.
    await expect(issue.locator('.orchest-lab-Issue-location')).toHaveText('30:13');
    await expect(editor.locator('.orchest-lab-ValidationStatus')).toHaveText(/Invalid pipeline/);
    await expect(editor.locator('.orchest-lab-PipelineEditor-notice')).toContainText(
      'not valid JSON'
    );
    await expect(editor.locator('.orchest-lab-StepNode')).toHaveCount(5);

    // The error opens the JSON text; both views share one document.
    await issue.click();
    const textEditor = page.locator('.jp-FileEditor').filter({ visible: true });
    await expect(textEditor).toHaveCount(1);
    await expect(textEditor.locator('.cm-content')).toContainText('"title": "Scrub"');

    await setText('revert');
    await expect(editor.locator('.orchest-lab-ValidationStatus')).toHaveText('Valid pipeline');
    await expect(editor.locator('.orchest-lab-StepNode-title')).toHaveText(QUICKSTART_TITLES);
    await expect(editor.locator('.react-flow__edge')).toHaveCount(5);
  });

  test('the toolbar fits the pipeline back into view', async ({ page }) => {
    await openFromFileBrowser(page, 'quickstart.orchest');
    const editor = pipelineEditor(page, 'quickstart.orchest');
    await expect(editor.locator('.react-flow__edge')).toHaveCount(5);
    await viewSettled(editor);
    const viewport = editor.locator('.react-flow__viewport');
    const fitted = await viewport.getAttribute('style');
    await editor.locator('.react-flow__controls-zoomin').click();
    await editor.locator('.react-flow__controls-zoomin').click();
    await expect(viewport).not.toHaveAttribute('style', fitted!);
    await page
      .locator('.orchest-lab-PipelineEditorDocument .jp-Toolbar')
      .getByTitle('Fit the pipeline into view')
      .click();
    await expect(viewport).toHaveAttribute('style', fitted!);
  });

  test('"Open With > Editor" still opens the JSON text', async ({ page }) => {
    await page.filebrowser.openHomeDirectory();
    expect(await page.filebrowser.open('quickstart.orchest', 'Editor')).toBe(true);
    const text = page.locator('.jp-FileEditor .cm-content').filter({ visible: true });
    await expect(text).toContainText('"incoming_connections"');
    await expect(page.locator('.orchest-lab-PipelineEditor')).toHaveCount(0);
  });
});
