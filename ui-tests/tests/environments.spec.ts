/**
 * The Environments panel against the real server: create an environment,
 * edit and save it (checked on disk), build it with its log, cancel a build
 * (the previous build stays in service), and delete: refused while a step
 * uses it, then done (its kernelspec goes too).
 */
import { IJupyterLabPageFixture, expect, test } from '@jupyterlab/galata';
import { APIRequestContext, Locator } from '@playwright/test';

import {
  createProject,
  openPipeline,
  pipelineText,
  readJSON,
  uuid
} from './helpers';

test.use({ viewport: { width: 1440, height: 900 } });

/** The text of a file on the server. */
async function readText(
  request: APIRequestContext,
  path: string
): Promise<string> {
  const response = await request.get(
    `/api/contents/${path}?content=1&type=file&format=text`
  );
  expect(response.ok()).toBe(true);
  return (await response.json()).content;
}

/** Write a text file on the server, replacing it (Galata's upload only creates). */
async function writeText(
  request: APIRequestContext,
  path: string,
  content: string
): Promise<void> {
  const response = await request.put(`/api/contents/${path}`, {
    data: { content, format: 'text', type: 'file' }
  });
  expect(response.ok()).toBe(true);
}

/** The names of the kernelspecs the server knows. */
async function kernelNames(request: APIRequestContext): Promise<string[]> {
  const response = await request.get('/api/kernelspecs');
  expect(response.ok()).toBe(true);
  return Object.keys((await response.json()).kernelspecs);
}

/**
 * Open the panel from the command palette: it shows the project of the
 * current pipeline editor.
 */
async function openPanel(
  page: IJupyterLabPageFixture,
  project: string
): Promise<Locator> {
  await page.keyboard.press('Control+Shift+C');
  const palette = page.locator('.lm-CommandPalette');
  await palette.locator('.lm-CommandPalette-input').fill('Show Environments');
  await palette
    .locator('.lm-CommandPalette-item', { hasText: 'Show Environments' })
    .first()
    .click();
  const panel = page.locator('#orchest-lab-environments');
  await expect(panel).toBeVisible();
  await expect(panel.getByLabel('Project')).toHaveValue(project);
  // The other projects (those with pipelines) can be chosen too.
  await expect(
    panel.getByLabel('Project').locator('option[value=""]')
  ).toHaveText('(server root)');
  return panel;
}

/** Click Delete and confirm in the dialog. */
async function deleteConfirmed(
  page: IJupyterLabPageFixture,
  details: Locator
): Promise<void> {
  await details.getByRole('button', { name: 'Delete', exact: true }).click();
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toContainText('Delete environment?');
  await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(dialog).toHaveCount(0);
}

test('create, edit, build, cancel and delete an environment', async ({
  page,
  request,
  tmpPath
}) => {
  test.setTimeout(240_000);
  const folder = `${tmpPath}/envs`;
  const step = uuid();
  const pipeline = (environment: string) =>
    pipelineText('uses', [
      { uuid: step, title: 'Uses env step', file: 'load.py', position: [0, 0] }
    ]).replace('"environment": ""', `"environment": "${environment}"`);
  await createProject(page, folder, {
    'load.py': 'print("load")\n',
    'uses.orchest': pipeline('')
  });

  await openPipeline(page, `${folder}/uses.orchest`);
  const panel = await openPanel(page, folder);
  await expect(panel).toContainText('This project has no environments yet.');

  // Create: it is listed, selected, and written to .orchest/environments/<uuid>/.
  await panel.getByLabel('New environment name').fill('First env');
  await panel.getByRole('button', { name: 'Create' }).click();
  const created = panel.locator('.orchest-lab-EnvironmentItem', {
    hasText: 'First env'
  });
  await expect(created).toHaveAttribute('data-build-kind', 'not-built');
  await expect(created).toHaveAttribute('aria-selected', 'true');
  const env = (await created.getAttribute('data-env-uuid'))!;
  expect(env).toMatch(/^[0-9a-f-]{36}$/);
  const item = panel.locator(
    `.orchest-lab-EnvironmentItem[data-env-uuid="${env}"]`
  );
  const dir = `${folder}/.orchest/environments/${env}`;
  expect(await readJSON(request, `${dir}/properties.json`)).toMatchObject({
    uuid: env,
    name: 'First env'
  });

  // Edit the name and setup script: unsaved until Save, then on disk.
  const details = panel.locator(
    `.orchest-lab-EnvironmentDetails[data-env-uuid="${env}"]`
  );
  const name = details.getByLabel('Environment name');
  const script = details.getByLabel('Setup script');
  await expect(details).toHaveAttribute('data-dirty', 'false');
  await name.fill('Hello env');
  const helloScript = '#!/bin/bash\necho hello-from-setup\n';
  await script.fill(helloScript);
  await expect(details).toHaveAttribute('data-dirty', 'true');
  await expect(details).toContainText('Unsaved changes');
  await expect(item).toContainText('●');
  await details.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(details).toHaveAttribute('data-dirty', 'false');
  await expect(item).toContainText('Hello env');
  expect(await readJSON(request, `${dir}/properties.json`)).toEqual({
    base_image: 'orchest/base-kernel-py',
    gpu_support: false,
    language: 'python',
    name: 'Hello env',
    uuid: env
  });
  expect(await readText(request, `${dir}/setup_script.sh`)).toBe(helloScript);

  // A refused save shows the server's message and keeps the text.
  await name.fill('');
  await script.fill(`${helloScript}echo unsaved\n`);
  await details.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(details.getByRole('alert')).toContainText(
    "field 'name' must be a non-empty string"
  );
  await expect(script).toHaveValue(`${helloScript}echo unsaved\n`);
  await expect(details).toHaveAttribute('data-dirty', 'true');
  expect(await readText(request, `${dir}/setup_script.sh`)).toBe(helloScript);
  await details.getByRole('button', { name: 'Revert' }).click();
  await expect(name).toHaveValue('Hello env');
  await expect(script).toHaveValue(helloScript);
  await expect(details.getByRole('alert')).toHaveCount(0);

  // Build: building, then built, with the setup script's output in the log.
  const log = details.locator('.orchest-lab-EnvironmentLog');
  await expect(log).toHaveText('No build yet.');
  await details.getByRole('button', { name: 'Build', exact: true }).click();
  await expect(details).toHaveAttribute('data-build-kind', /queued|building/);
  await expect(details).toHaveAttribute('data-build-kind', 'built', {
    timeout: 120_000
  });
  await expect(item).toHaveAttribute('data-build-kind', 'built');
  await expect(log).toContainText("Building 'Hello env'");
  await expect(log).toContainText('hello-from-setup');
  await expect(log).toContainText('Environment ready.');
  expect(await log.textContent()).not.toContain('\u001b['); // uv's colours are stripped
  await expect(log).toHaveAttribute('data-following', 'false');
  await expect(details).toContainText(/Last build \d+ s ago/);
  const kernel = (await details
    .locator('.orchest-lab-EnvironmentDetails-kernel code')
    .textContent())!;
  expect(kernel).toMatch(new RegExp(`^orchest-env-[0-9a-f-]+-${env}$`));
  expect(await kernelNames(request)).toContain(kernel);

  // A slow setup script: saved, the build is outdated; its build is followed
  // live, then cancelled, and the previous build stays in service.
  await script.fill('#!/bin/bash\necho started-sleeping\nsleep 30\n');
  await script.press('Control+s'); // saves the environment, not a document
  await expect(details).toHaveAttribute('data-dirty', 'false');
  await expect(details).toHaveAttribute('data-build-kind', 'outdated');
  await details.getByRole('button', { name: 'Build', exact: true }).click();
  await expect(log).toContainText('started-sleeping', { timeout: 60_000 });
  await expect(details).toHaveAttribute('data-build-kind', 'building');
  await expect(log).toHaveAttribute('data-following', 'true');
  await expect(details).toContainText('step 3/4: running the setup script');
  await expect(log).not.toContainText('hello-from-setup'); // the new build's log only
  const cancelledAt = Date.now();
  await details.getByRole('button', { name: 'Cancel Build' }).click();
  await expect(details).toHaveAttribute('data-build-kind', 'cancelled');
  expect(Date.now() - cancelledAt).toBeLessThan(15_000);
  await expect(details).toContainText('The previous build stays in service.');
  await expect(
    details.locator('.orchest-lab-EnvironmentDetails-kernel code')
  ).toHaveText(kernel);
  await expect(log).toContainText('Build cancelled.');
  await expect(item).toHaveAttribute('data-build-kind', 'cancelled');
  expect(await kernelNames(request)).toContain(kernel);

  // Deleting is refused while a step uses the environment, naming the step.
  await writeText(request, `${folder}/uses.orchest`, pipeline(env));
  await deleteConfirmed(page, details);
  await expect(details.getByRole('alert')).toContainText(
    "is used by step 'Uses env step' of uses.orchest"
  );
  await expect(item).toBeVisible();
  expect(await readJSON(request, `${dir}/properties.json`)).toMatchObject({
    name: 'Hello env'
  });

  // Cancelling the dialog deletes nothing; once no step uses it, it goes.
  await details.getByRole('button', { name: 'Delete', exact: true }).click();
  await page
    .locator('.jp-Dialog')
    .getByRole('button', { name: 'Cancel' })
    .click();
  await expect(item).toBeVisible();
  await writeText(request, `${folder}/uses.orchest`, pipeline(''));
  await deleteConfirmed(page, details);
  await expect(item).toHaveCount(0);
  await expect(panel).toContainText('This project has no environments yet.');
  expect(
    (
      await request.get(`/api/contents/${dir}/properties.json?content=0`)
    ).status()
  ).toBe(404);
  expect(await kernelNames(request)).not.toContain(kernel);
});

test('the step\'s "Manage environments" opens the panel; the dropdown follows its changes', async ({
  page,
  tmpPath
}) => {
  const folder = `${tmpPath}/manage`;
  const step = uuid();
  await createProject(page, folder, {
    'load.py': 'print("load")\n',
    'pick.orchest': pipelineText('pick', [
      { uuid: step, title: 'Pick', file: 'load.py', position: [0, 0] }
    ])
  });
  const editor = await openPipeline(page, `${folder}/pick.orchest`);
  await editor.locator('.orchest-lab-StepNode', { hasText: 'Pick' }).click();
  const properties = editor.locator('.orchest-lab-PropertiesPanel');
  const select = properties.getByLabel('Environment', { exact: true });
  await expect(select.locator('option')).toHaveText([
    "None (the file's own kernel)"
  ]);

  await properties
    .getByRole('button', { name: 'Manage environments…' })
    .click();
  const panel = page.locator('#orchest-lab-environments');
  await expect(panel).toBeVisible();
  await expect(panel.getByLabel('Project')).toHaveValue(folder);
  await panel.getByLabel('New environment name').fill('Fresh env');
  await panel.getByRole('button', { name: 'Create' }).click();
  await expect(
    panel.locator('.orchest-lab-EnvironmentItem', { hasText: 'Fresh env' })
  ).toBeVisible();

  // Back in the editor, the new environment is listed with no reload.
  await page
    .getByRole('main')
    .getByRole('tab', { name: 'pick.orchest' })
    .click();
  await expect(select.locator('option')).toHaveText([
    "None (the file's own kernel)",
    'Fresh env (not built)'
  ]);
});
