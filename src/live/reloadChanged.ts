/**
 * Reload open documents whose file changed on disk behind JupyterLab's back
 * (the server gives notebooks their environment's kernel when a pipeline is
 * saved), as long as they have no unsaved changes; otherwise the next save
 * would ask "File changed: overwrite or revert?".
 */
import { DocumentRegistry } from '@jupyterlab/docregistry';
import { Contents } from '@jupyterlab/services';

/** Reload the contexts whose file is newer on disk; returns those reloaded. */
export async function reloadChangedOnDisk(
  contexts: readonly DocumentRegistry.Context[],
  contents: Contents.IManager
): Promise<DocumentRegistry.Context[]> {
  const reloaded: DocumentRegistry.Context[] = [];
  for (const context of contexts) {
    const known = context.contentsModel?.last_modified;
    if (!known || context.model.dirty) {
      continue;
    }
    try {
      const onDisk = await contents.get(context.path, { content: false });
      if (
        Date.parse(onDisk.last_modified) > Date.parse(known) &&
        !context.model.dirty
      ) {
        await context.revert();
        reloaded.push(context);
      }
    } catch {
      // Gone or unreadable: JupyterLab tells the user when it matters.
    }
  }
  return reloaded;
}
