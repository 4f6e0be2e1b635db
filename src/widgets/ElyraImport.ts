/**
 * Elyra pipelines in the pipeline editor: "Open With > Pipeline Editor" on a
 * `.pipeline` file imports it into a new `.orchest` file beside it (the
 * original is never changed), opens that in the pipeline editor and shows
 * what did not map. The widget of the `.pipeline` itself only says that the
 * import is under way, and closes when it is done.
 */
import { Dialog, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import {
  ABCWidgetFactory,
  DocumentRegistry,
  DocumentWidget
} from '@jupyterlab/docregistry';
import { Widget } from '@lumino/widgets';

import type { IElyraConversion } from '../api/types';
import { errorMessage } from '../model/errorMessage';
import { baseName } from '../model/paths';
import { unmappedLine, unmappedSummary } from '../model/unmapped';

/** The list of what did not map, as a dialog body. */
export function unmappedBody(
  conversion: IElyraConversion,
  source: string
): Widget {
  const body = new Widget();
  body.addClass('orchest-lab-UnmappedList');
  const summary = document.createElement('p');
  summary.textContent = unmappedSummary(conversion.unmapped.length, source);
  body.node.appendChild(summary);
  if (conversion.unmapped.length > 0) {
    const list = document.createElement('ul');
    for (const item of conversion.unmapped) {
      const entry = document.createElement('li');
      entry.textContent = unmappedLine(item);
      list.appendChild(entry);
    }
    body.node.appendChild(list);
  }
  return body;
}

/** Show what a conversion wrote and what did not map. */
export async function showConversion(
  title: string,
  conversion: IElyraConversion,
  source: string
): Promise<void> {
  await showDialog({
    title,
    body: unmappedBody(conversion, source),
    buttons: [Dialog.okButton({ label: 'OK' })]
  });
}

/** What the import factory needs from the rest of the extension. */
export interface IElyraImportOptions extends DocumentRegistry.IWidgetFactoryOptions<DocumentWidget> {
  /** Import the file at `path`: the new pipeline and what did not map. */
  importPipeline(path: string): Promise<IElyraConversion>;
  /** Open the imported pipeline in the pipeline editor. */
  openPipeline(path: string): Promise<unknown>;
}

/** The "Pipeline Editor" entry of Open With for `.pipeline` files. */
export class ElyraImportFactory extends ABCWidgetFactory<DocumentWidget> {
  constructor(private readonly _options: IElyraImportOptions) {
    super(_options);
  }

  protected createNewWidget(context: DocumentRegistry.Context): DocumentWidget {
    const content = new Widget();
    content.addClass('orchest-lab-ElyraImport');
    content.node.textContent = `Importing ${baseName(context.path)} into a new pipeline…`;
    const widget = new DocumentWidget({ content, context });
    widget.title.label = baseName(context.path);
    void this._import(widget, context.path);
    return widget;
  }

  private async _import(widget: DocumentWidget, path: string): Promise<void> {
    const source = baseName(path);
    try {
      const conversion = await this._options.importPipeline(path);
      await this._options.openPipeline(conversion.path);
      widget.dispose();
      await showConversion(
        `Imported ${source} as ${baseName(conversion.path)}`,
        conversion,
        source
      );
    } catch (reason) {
      widget.dispose();
      await showErrorMessage(`Cannot import ${source}`, errorMessage(reason));
    }
  }
}
