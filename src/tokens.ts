/**
 * Names shared across the extension (command ids, the file type, the widget
 * factory) and the tokens other plugins can depend on.
 */
import { IWidgetTracker } from '@jupyterlab/apputils';
import { Token } from '@lumino/coreutils';

import { OrchestLabAPI } from './api';
import { PipelineEditorDocument } from './widgets/PipelineEditorFactory';

/** The id of the main plugin; its settings schema is `schema/plugin.json`. */
export const PLUGIN_ID = 'orchest-lab:plugin';

/** The document file type of `.orchest` files. */
export const PIPELINE_FILE_TYPE = 'orchest-pipeline';

/** The name of the widget factory (shown in "Open With"). */
export const PIPELINE_FACTORY = 'Pipeline Editor';

/** Palette category of the extension's commands. */
export const PALETTE_CATEGORY = 'Orchest Lab';

/** Command ids. */
export namespace CommandIDs {
  export const newPipeline = 'orchest-lab:new-pipeline';
  export const fitView = 'orchest-lab:fit-view';
  export const validate = 'orchest-lab:validate';
}

/** The REST API client, shared by every plugin. */
export const IOrchestLabAPI = new Token<OrchestLabAPI>(
  'orchest-lab:IOrchestLabAPI',
  'The client of the orchest-lab REST API.'
);

/** The tracker of open pipeline editors. */
export type IPipelineEditorTracker = IWidgetTracker<PipelineEditorDocument>;

/** The tracker of open pipeline editors. */
export const IPipelineEditorTracker = new Token<IPipelineEditorTracker>(
  'orchest-lab:IPipelineEditorTracker',
  'The tracker of open pipeline editors.'
);
