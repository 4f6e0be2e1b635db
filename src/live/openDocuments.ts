/**
 * The documents open in JupyterLab for a file path.
 */
import { IDocumentManager } from '@jupyterlab/docmanager';
import { DocumentRegistry } from '@jupyterlab/docregistry';
import { INotebookTracker } from '@jupyterlab/notebook';

/** The open documents (notebooks and any other kind) of a server path. */
export function openContexts(
  docManager: IDocumentManager | null,
  notebooks: INotebookTracker | null,
  path: string
): DocumentRegistry.Context[] {
  const contexts: DocumentRegistry.Context[] = [];
  notebooks?.forEach(panel => {
    if (panel.context.localPath === path && !contexts.includes(panel.context)) {
      contexts.push(panel.context);
    }
  });
  const widget = docManager?.findWidget(path, null);
  const context = widget ? docManager?.contextForWidget(widget) : undefined;
  if (context && !contexts.includes(context)) {
    contexts.push(context);
  }
  return contexts;
}
