/**
 * The properties panel's "Execution (Kubernetes)" section: a step's timeout
 * and memory limit, and the pipeline's defaults for every step, saved into
 * the pipeline file; an invalid quantity is refused with the schema's
 * message; undo takes an edit back.
 */
import { expect, test } from '@jupyterlab/galata';

import {
  createProject,
  notebookText,
  openPipeline,
  pipelineText,
  readJSON,
  stepNode,
  uuid
} from './helpers';

// Room for the canvas beside the properties panel.
test.use({ viewport: { width: 1440, height: 900 } });

test("a step's timeout and memory limit, and the pipeline's defaults, are saved in the file", async ({
  page,
  request,
  tmpPath
}) => {
  const folder = `${tmpPath}/limits`;
  const a = uuid();
  await createProject(page, folder, {
    'a.ipynb': notebookText(['1']),
    'limits.orchest': pipelineText('limits', [
      { uuid: a, title: 'A', file: 'a.ipynb', position: [0, 0] }
    ])
  });
  const path = `${folder}/limits.orchest`;
  const editor = await openPipeline(page, path);
  const panel = editor.locator('.orchest-lab-PropertiesPanel');
  const dirty = page.locator('.lm-TabBar-tab.jp-mod-dirty', { hasText: 'limits.orchest' });

  // The pipeline's defaults: nothing set, so the section starts closed.
  await expect(panel.locator('.orchest-lab-PropertiesPanel-header')).toHaveText('Pipeline');
  const pipelineSection = panel.locator('.orchest-lab-ExecutionSection');
  await expect(pipelineSection).not.toHaveAttribute('open', '');
  await pipelineSection.getByText('Execution (Kubernetes)').click();
  const cpuRequest = pipelineSection.getByLabel('CPU request');
  await cpuRequest.fill('500m');
  await cpuRequest.press('Enter');
  await expect(dirty).toHaveCount(1);

  await stepNode(editor, a).click();
  await expect(panel.locator('.orchest-lab-PropertiesPanel-header')).toHaveText('Step');
  const section = panel.locator('.orchest-lab-ExecutionSection');
  await section.getByText('Execution (Kubernetes)').click();
  const timeout = section.getByLabel('Timeout (seconds)');
  await timeout.fill('90');
  await timeout.press('Enter');

  // A size that is not a Kubernetes quantity is refused, saying why.
  const memory = section.getByLabel('Memory limit');
  await memory.fill('2GB');
  await expect(section.locator('.orchest-lab-Field-error')).toHaveText(
    "Must be a Kubernetes quantity such as '500m', '2' or '4Gi'"
  );
  await expect(memory).toHaveAttribute('aria-invalid', 'true');
  await memory.press('Enter');
  await memory.fill('2Gi');
  await expect(section.locator('.orchest-lab-Field-error')).toHaveCount(0);
  await memory.press('Enter');

  // Undo takes the memory limit back (one edit of the document), redo brings it again.
  await stepNode(editor, a).click();
  await page.keyboard.press('Control+z');
  await expect(memory).toHaveValue('');
  await expect(timeout).toHaveValue('90');
  await page.keyboard.press('Control+Shift+z');
  await expect(memory).toHaveValue('2Gi');

  await page.keyboard.press('Control+s');
  await expect(dirty).toHaveCount(0);
  const saved = await readJSON(request, path);
  expect(saved.steps[a].timeout).toBe(90);
  expect(saved.steps[a].resources).toEqual({ limits: { memory: '2Gi' } });
  expect(saved.settings.step_resources).toEqual({ requests: { cpu: '500m' } });
  expect(saved.settings.max_steps_parallelism).toBe(0);

  // Emptied, the fields leave the file.
  await timeout.fill('');
  await timeout.press('Enter');
  await memory.fill('');
  await memory.press('Enter');
  await page.keyboard.press('Control+s');
  await expect(dirty).toHaveCount(0);
  const cleared = await readJSON(request, path);
  expect(cleared.steps[a]).not.toHaveProperty('timeout');
  expect(cleared.steps[a]).not.toHaveProperty('resources');
});
