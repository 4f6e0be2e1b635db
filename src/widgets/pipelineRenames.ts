/**
 * A pipeline whose name was never set is named after its file: renaming the
 * file renames the pipeline. An open editor changes it through its document
 * (one undoable step, saved when the document had no other unsaved change);
 * a closed file is rewritten on the server.
 */
import { Contents } from '@jupyterlab/services';

import {
  PIPELINE_FILE_EXTENSION,
  hasDefaultName,
  pipelineNameFromPath,
  renamedPipelineText
} from '../model/pipeline';
import { PipelineEditor } from './PipelineEditor';

/** Rename pipelines whose file is renamed (see the module's comment). */
export function followPipelineRenames(
  contents: Contents.IManager,
  findEditor: (paths: string[]) => PipelineEditor | null
): void {
  contents.fileChanged.connect((_, change) => {
    const oldPath = change.oldValue?.path;
    const newPath = change.newValue?.path;
    if (
      change.type !== 'rename' ||
      !oldPath ||
      !newPath ||
      !newPath.endsWith(PIPELINE_FILE_EXTENSION)
    ) {
      return;
    }
    void follow(contents, findEditor([oldPath, newPath]), oldPath, newPath);
  });
}

async function follow(
  contents: Contents.IManager,
  editor: PipelineEditor | null,
  oldPath: string,
  newPath: string
): Promise<void> {
  try {
    if (editor) {
      // Saves go to the context's path: wait until it follows the rename.
      await pathIs(editor, newPath);
      const pipeline = editor.model.pipeline;
      if (!editor.editable || !hasDefaultName(pipeline, oldPath)) {
        return;
      }
      const wasDirty = editor.context.model.dirty;
      editor.editing.updatePipeline({ name: pipelineNameFromPath(newPath) });
      if (!wasDirty) {
        await editor.context.save();
      }
      return;
    }
    const file = await contents.get(newPath, { content: true, format: 'text' });
    const text = renamedPipelineText(String(file.content), oldPath, newPath);
    if (text !== null) {
      await contents.save(newPath, {
        type: 'file',
        format: 'text',
        content: text
      });
    }
  } catch (reason) {
    console.warn(
      `orchest-lab: could not rename the pipeline ${newPath}`,
      reason
    );
  }
}

/** Resolves once the editor's document is at `path`. */
function pathIs(editor: PipelineEditor, path: string): Promise<void> {
  return new Promise(resolve => {
    if (editor.path === path) {
      resolve();
      return;
    }
    const onPath = () => {
      if (editor.path === path) {
        editor.context.pathChanged.disconnect(onPath);
        resolve();
      }
    };
    editor.context.pathChanged.connect(onPath);
  });
}
