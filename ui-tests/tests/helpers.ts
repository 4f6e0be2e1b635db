/**
 * Helpers shared by the orchest-lab browser tests.
 */
import { IJupyterLabPageFixture, expect } from '@jupyterlab/galata';
import { APIRequestContext, Locator } from '@playwright/test';
import { randomUUID } from 'crypto';

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

/** A button of the visible pipeline editor's toolbar. */
export function toolbarButton(page: IJupyterLabPageFixture, label: string): Locator {
  return page
    .locator('.orchest-lab-PipelineEditorDocument .jp-Toolbar')
    .filter({ visible: true })
    .getByRole('button', { name: label, exact: true });
}

/** The node of a step in an editor. */
export function stepNode(editor: Locator, uuid: string): Locator {
  return editor.locator(`.orchest-lab-StepNode[data-step-uuid="${uuid}"]`);
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

/** Run a JupyterLab command in the page. */
export async function runCommand(
  page: IJupyterLabPageFixture,
  id: string,
  args: Record<string, unknown> = {}
): Promise<unknown> {
  return page.evaluate(
    async ({ id, args }) => {
      const result = await (window as any).jupyterapp.commands.execute(id, args);
      // Widgets do not cross to the test: keep only plain answers.
      return result && typeof result === 'object' && 'node' in result ? true : (result ?? null);
    },
    { id, args }
  );
}

/** Open a pipeline (server path) in the Pipeline Editor and wait for its graph. */
export async function openPipeline(page: IJupyterLabPageFixture, path: string): Promise<Locator> {
  await runCommand(page, 'docmanager:open', { path, factory: 'Pipeline Editor' });
  const editor = pipelineEditor(page, path);
  await expect(editor).toBeVisible();
  await expect(editor.locator('.orchest-lab-ValidationStatus')).not.toHaveText(/Validating|Not validated/);
  return editor;
}

/**
 * JupyterLab's first checkpoint of the file `path`, the last request of its opening, made.
 * Ask before the action that opens the file, and await it before the test ends: the test's
 * cleanup would otherwise delete the file under that request (a 500 in the server's log).
 */
export async function firstCheckpoint(page: IJupyterLabPageFixture, path: string): Promise<void> {
  const response = await page.waitForResponse(
    response =>
      response.request().method() === 'POST' &&
      new URL(response.url()).pathname.endsWith(`/api/contents/${path}/checkpoints`)
  );
  expect(response.status()).toBe(201);
}

/** Run `open` (an action that opens the file `path`) and wait until JupyterLab has opened it. */
export async function openedBy(page: IJupyterLabPageFixture, path: string, open: () => Promise<void>): Promise<void> {
  const checkpoint = firstCheckpoint(page, path);
  await open();
  const name = path.split('/').pop()!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  await expect(page.getByRole('main').getByRole('tab', { name: new RegExp(`^${name}`) })).toBeVisible();
  await checkpoint;
}

/** Open a notebook (server path) and wait for its cells. */
export async function openNotebook(page: IJupyterLabPageFixture, path: string, mode = 'split-right'): Promise<Locator> {
  await runCommand(page, 'docmanager:open', { path, factory: 'Notebook', options: { mode } });
  const id = await page.evaluate(path => {
    const app = (window as any).jupyterapp;
    for (const widget of app.shell.widgets('main')) {
      if (widget.context?.localPath === path && widget.sessionContext) {
        return widget.id as string;
      }
    }
    return null;
  }, path);
  expect(id).toBeTruthy();
  const panel = page.locator(`[id="${id}"]`);
  await expect(panel.locator('.jp-Cell').first()).toBeVisible();
  // Once its kernel is up, JupyterLab completes the notebook's metadata
  // (language_info, kernelspec), which leaves it with unsaved changes: save
  // them, as a user would before running it.
  await page.waitForFunction(path => {
    const app = (window as any).jupyterapp;
    for (const widget of app.shell.widgets('main')) {
      if (widget.context?.localPath === path && widget.sessionContext) {
        return widget.sessionContext.session?.kernel?.status === 'idle';
      }
    }
    return false;
  }, path);
  await page.evaluate(async path => {
    const app = (window as any).jupyterapp;
    for (const widget of app.shell.widgets('main')) {
      if (widget.context?.localPath === path && widget.sessionContext) {
        // An idle kernel may not have answered its info request yet: the
        // notebook writes the metadata when the kernel's info and spec come
        // (its callbacks on these promises run before ours).
        const kernel = widget.sessionContext.session.kernel;
        await kernel.info;
        await kernel.spec;
        if (widget.context.model.dirty) {
          await widget.context.save();
        }
      }
    }
  }, path);
  return panel;
}

/** A notebook file (nbformat 4, python3 kernel) with one code cell per source. */
export function notebookText(sources: string[]): string {
  return (
    JSON.stringify(
      {
        cells: sources.map((source, index) => ({
          cell_type: 'code',
          execution_count: null,
          id: `cell-${index}`,
          metadata: {},
          outputs: [],
          source
        })),
        metadata: {
          kernelspec: { display_name: 'Python 3 (ipykernel)', language: 'python', name: 'python3' },
          language_info: { name: 'python' }
        },
        nbformat: 4,
        nbformat_minor: 5
      },
      null,
      1
    ) + '\n'
  );
}

/** A step of a test pipeline. */
export interface ITestStep {
  uuid: string;
  title: string;
  file: string;
  parents?: string[];
  position: [number, number];
  parameters?: Record<string, unknown>;
}

/** The text of a pipeline file with the given steps (no environments). */
export function pipelineText(name: string, steps: ITestStep[]): string {
  const entries: Record<string, unknown> = {};
  for (const step of steps) {
    entries[step.uuid] = {
      environment: '',
      file_path: step.file,
      incoming_connections: step.parents ?? [],
      kernel: { display_name: 'Python 3', name: 'python' },
      meta_data: { hidden: false, position: step.position },
      parameters: step.parameters ?? {},
      title: step.title,
      uuid: step.uuid
    };
  }
  return (
    JSON.stringify(
      {
        name,
        parameters: {},
        settings: { auto_eviction: false, data_passing_memory_size: '1GB', max_steps_parallelism: 0 },
        steps: entries,
        uuid: randomUUID(),
        version: '1.0.0'
      },
      null,
      4
    ) + '\n'
  );
}

/**
 * Create a project folder (with its own `.orchest/` folder, so it has no
 * environments) holding the given text files.
 */
export async function createProject(
  page: IJupyterLabPageFixture,
  folder: string,
  files: Record<string, string>
): Promise<void> {
  await page.contents.createDirectory(`${folder}/.orchest`);
  await page.contents.uploadContent('pipelines/\n', 'text', `${folder}/.orchest/.gitignore`);
  for (const [name, content] of Object.entries(files)) {
    expect(await page.contents.uploadContent(content, 'text', `${folder}/${name}`)).toBe(true);
  }
}

/** A step of {@link createChain}: its title, file and the file's text. */
export interface IChainStep {
  title: string;
  file: string;
  content: string;
}

/**
 * Create a project holding a pipeline `<name>.orchest` whose steps run one
 * after the other, left to right, with their files (and `extraFiles`).
 * Returns the pipeline's path and the steps' uuids, in order.
 */
export async function createChain(
  page: IJupyterLabPageFixture,
  folder: string,
  name: string,
  steps: IChainStep[],
  extraFiles: Record<string, string> = {}
): Promise<{ path: string; uuids: string[] }> {
  const uuids = steps.map(() => uuid());
  const files: Record<string, string> = { ...extraFiles };
  for (const step of steps) {
    files[step.file] = step.content;
  }
  files[`${name}.orchest`] = pipelineText(
    name,
    steps.map((step, i) => ({
      uuid: uuids[i],
      title: step.title,
      file: step.file,
      parents: i > 0 ? [uuids[i - 1]] : [],
      position: [300 * i, 0]
    }))
  );
  await createProject(page, folder, files);
  return { path: `${folder}/${name}.orchest`, uuids };
}

/**
 * Wait until an editor's view stands still: no fit or focus it asked for is
 * under way (the canvas carries `data-view-moving` from the request on), and
 * the canvas has answered its latest resize (a panel shown or a notebook
 * opened beside it refits the view a frame or more later).
 */
export async function viewSettled(editor: Locator): Promise<void> {
  await expect
    .poll(() =>
      editor.locator('.react-flow').first().evaluate((canvas: HTMLElement) => {
        const size = `${canvas.offsetWidth}x${canvas.offsetHeight}`;
        const hidden = canvas.offsetWidth === 0 || canvas.offsetHeight === 0;
        return (
          !canvas.hasAttribute('data-view-moving') &&
          (hidden || canvas.getAttribute('data-view-size') === size)
        );
      })
    )
    .toBe(true);
}

/**
 * The bounding box of an element of an editor's canvas, once it is drawn (a
 * node shows once measured, after the first fit) and the view stands still.
 */
export async function settledBox(
  editor: Locator,
  locator: Locator
): Promise<{ x: number; y: number; width: number; height: number }> {
  await expect(locator).toBeVisible();
  await viewSettled(editor);
  return (await locator.boundingBox())!;
}

/**
 * Press Ctrl+S in the open document `path` and wait until its save is over
 * or a dialog (such as "File Changed") holds it up. Returns the save's state:
 * 'completed', 'failed', or 'started' when a dialog showed.
 */
export async function saveWithKeyboard(page: IJupyterLabPageFixture, path: string): Promise<string> {
  await page.evaluate(path => {
    const w = window as any;
    for (const widget of w.jupyterapp.shell.widgets('main')) {
      if (widget.context?.localPath === path) {
        const context = widget.context;
        w.__saveState = 'asked';
        const onState = (_: unknown, state: string) => {
          w.__saveState = state;
          if (state !== 'started') {
            context.saveState.disconnect(onState);
          }
        };
        context.saveState.connect(onState);
        return;
      }
    }
    throw new Error(`${path} is not open`);
  }, path);
  await page.keyboard.press('Control+s');
  await page.waitForFunction(
    () =>
      ['completed', 'failed'].includes((window as any).__saveState) ||
      document.querySelector('.jp-Dialog') !== null
  );
  return page.evaluate(() => (window as any).__saveState as string);
}

/** The parsed JSON content of a file on the server. */
export async function readJSON(request: APIRequestContext, path: string): Promise<any> {
  const response = await request.get(`/api/contents/${path}?content=1&type=file&format=text`);
  expect(response.ok()).toBe(true);
  return JSON.parse((await response.json()).content);
}

/** A fresh step uuid. */
export function uuid(): string {
  return randomUUID();
}
