/**
 * Notes on the canvas: added from the canvas's context menu or the toolbar,
 * written in place, kept in the pipeline file (which the server accepts),
 * deleted and undone like any other edit.
 */
import { IJupyterLabPageFixture, expect, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';

import { createChain, openPipeline, readJSON, viewSettled } from './helpers';

test.use({ viewport: { width: 1280, height: 800 } });

/** The notes of an editor. */
const notesOf = (editor: Locator) => editor.locator('.orchest-lab-NoteNode');

/** Save the pipeline with Ctrl+S on its canvas and wait until it is clean. */
async function save(page: IJupyterLabPageFixture, editor: Locator, name: string) {
  await editor.locator('.orchest-lab-PipelineGraph').focus();
  await page.keyboard.press('Control+s');
  await expect(page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab.jp-mod-dirty', { hasText: name })).toHaveCount(0);
}

test('a note is added where the context menu opened, written in place, saved, valid', async ({
  page,
  request,
  tmpPath
}) => {
  const { path } = await createChain(page, `${tmpPath}/n`, 'noted', [
    { title: 'Load', file: 'load.py', content: '' },
    { title: 'Train', file: 'train.py', content: '' }
  ]);
  const editor = await openPipeline(page, path);
  await viewSettled(editor);
  const pane = editor.locator('.react-flow__pane');
  const box = (await pane.boundingBox())!;
  // Where the whole note fits, so the view does not pan to show it.
  const click = { x: box.width * 0.25, y: box.height * 0.15 };
  await pane.click({ button: 'right', position: click });
  await page.locator('.lm-Menu-itemLabel', { hasText: /^Add Note$/ }).click();

  const note = notesOf(editor);
  await expect(note).toHaveCount(1);
  // Opened for writing, where the menu was.
  const field = note.getByRole('textbox', { name: 'Note text' });
  await expect(field).toBeFocused();
  await viewSettled(editor);
  const noteBox = (await note.boundingBox())!;
  expect(Math.abs(noteBox.x - (box.x + click.x))).toBeLessThan(4);
  expect(Math.abs(noteBox.y - (box.y + click.y))).toBeLessThan(4);
  await page.keyboard.type('Data comes from the lake.\nRefreshed nightly.');
  await page.keyboard.press('Control+Enter');
  await expect(note).toContainText('Refreshed nightly.');

  await save(page, editor, 'noted.orchest');
  const saved = await readJSON(request, path);
  expect(saved.notes).toHaveLength(1);
  expect(saved.notes[0].text).toBe('Data comes from the lake.\nRefreshed nightly.');
  expect(saved.notes[0].position.every(Number.isInteger)).toBe(true);
  expect(Object.keys(saved.steps)).toHaveLength(2);
  // The server's validator accepts the file with its note.
  await expect(editor.locator('.orchest-lab-ValidationStatus')).toHaveText('Valid pipeline');

  // Written again in place: double-click, change, leave the field.
  await note.dblclick();
  await expect(field).toBeFocused();
  await page.keyboard.press('Control+a');
  await page.keyboard.type('Source: the lake');
  await editor.locator('.orchest-lab-StepNode').first().click();
  await expect(note).toHaveText('Source: the lake');
  // Escape leaves the text as it was.
  await note.dblclick();
  await page.keyboard.type(' (draft)');
  await page.keyboard.press('Escape');
  await expect(note).toHaveText('Source: the lake');
});

test('notes are deleted with the selection and come back with undo; the toolbar adds them', async ({
  page,
  request,
  tmpPath
}) => {
  const { path } = await createChain(page, `${tmpPath}/d`, 'undo', [{ title: 'Only', file: 'only.py', content: '' }]);
  const editor = await openPipeline(page, path);
  await page.locator('.jp-Toolbar-item[data-jp-item-name="add-note"]:visible button').click();
  const note = notesOf(editor);
  await expect(note).toHaveCount(1);
  await page.keyboard.type('Keep me');
  await page.keyboard.press('Control+Enter');
  await expect(note).toHaveText('Keep me');
  // Not on the step: a free place.
  const step = (await editor.locator('.orchest-lab-StepNode').boundingBox())!;
  const noteBox = (await note.boundingBox())!;
  expect(
    noteBox.x + noteBox.width <= step.x ||
      step.x + step.width <= noteBox.x ||
      noteBox.y + noteBox.height <= step.y ||
      step.y + step.height <= noteBox.y
  ).toBe(true);

  await note.click();
  await expect(note).toHaveClass(/orchest-lab-mod-selected/);
  await page.keyboard.press('Delete');
  await expect(note).toHaveCount(0);
  await page.keyboard.press('Control+z');
  await expect(note).toHaveText('Keep me');
  await page.keyboard.press('Control+z');
  await expect(note).toHaveText('Double-click to write a note');
  await page.keyboard.press('Control+z');
  await expect(note).toHaveCount(0);
  await page.keyboard.press('Control+Shift+z');
  await expect(note).toHaveCount(1);

  await save(page, editor, 'undo.orchest');
  const saved = await readJSON(request, path);
  expect(saved.notes).toEqual([{ uuid: expect.any(String), text: '', position: expect.any(Array) }]);
});
