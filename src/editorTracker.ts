/**
 * The token of the tracker of open pipeline editors. It is apart from
 * `tokens.ts` because its type is the editor widget, and the widget uses the
 * service interfaces of `tokens.ts`: one module for both would import itself
 * through the widget.
 */
import { IWidgetTracker } from '@jupyterlab/apputils';
import { Token } from '@lumino/coreutils';

import type { PipelineEditorDocument } from './widgets/PipelineEditorFactory';

/** The tracker of open pipeline editors. */
export type IPipelineEditorTracker = IWidgetTracker<PipelineEditorDocument>;

/** The tracker of open pipeline editors. */
export const IPipelineEditorTracker = new Token<IPipelineEditorTracker>(
  'orchest-lab:IPipelineEditorTracker',
  'The tracker of open pipeline editors.'
);
