/**
 * Names shared across the extension: plugin id, file type, widget factory and
 * command ids. This module imports nothing, so widgets and plugins can both
 * use it without a cycle through the tokens.
 */

/** The id of the main plugin; its settings schema is `schema/plugin.json`. */
export const PLUGIN_ID = 'orchest-lab:plugin';

/** The document file type of `.orchest` files. */
export const PIPELINE_FILE_TYPE = 'orchest-pipeline';

/** The name of the widget factory (shown in "Open With"). */
export const PIPELINE_FACTORY = 'Pipeline Editor';

/** The file type of Elyra's `.pipeline` files (when Elyra did not register one). */
export const ELYRA_FILE_TYPE = 'elyra-pipeline';

/** The widget factory that imports `.pipeline` files ("Open With > Pipeline Editor"). */
export const ELYRA_IMPORT_FACTORY = 'Elyra Pipeline Import';

/** Palette category of the extension's commands. */
export const PALETTE_CATEGORY = 'Orchest Lab';

/** Command ids. */
export namespace CommandIDs {
  export const newPipeline = 'orchest-lab:new-pipeline';
  export const fitView = 'orchest-lab:fit-view';
  export const validate = 'orchest-lab:validate';
  // Running (in the current pipeline editor).
  export const runAll = 'orchest-lab:run-all';
  export const runSelected = 'orchest-lab:run-selected';
  export const runIncoming = 'orchest-lab:run-incoming';
  export const runDownstream = 'orchest-lab:run-downstream';
  export const runOutdated = 'orchest-lab:run-outdated';
  export const openStepFile = 'orchest-lab:open-step-file';
  export const showStepLog = 'orchest-lab:show-step-log';
  export const cancelRun = 'orchest-lab:cancel-run';
  // Editing (in the current pipeline editor).
  export const deleteSelection = 'orchest-lab:delete-selection';
  export const copySteps = 'orchest-lab:copy-steps';
  export const cutSteps = 'orchest-lab:cut-steps';
  export const pasteSteps = 'orchest-lab:paste-steps';
  export const selectAll = 'orchest-lab:select-all';
  export const undo = 'orchest-lab:undo';
  export const redo = 'orchest-lab:redo';
  export const autoLayout = 'orchest-lab:auto-layout';
  export const newStep = 'orchest-lab:new-step';
  export const addFileStep = 'orchest-lab:add-file-step';
  export const addNote = 'orchest-lab:add-note';
  export const toggleProperties = 'orchest-lab:toggle-properties';
  export const exportSVG = 'orchest-lab:export-svg';
  export const exportPNG = 'orchest-lab:export-png';
  export const exportElyra = 'orchest-lab:export-elyra';
  // Files.
  export const addToPipeline = 'orchest-lab:add-to-pipeline';
  // Runs, logs and the sidebar.
  export const showLog = 'orchest-lab:show-log';
  export const showPipelines = 'orchest-lab:show-pipelines';
  export const runPipeline = 'orchest-lab:run-pipeline';
  // Environments.
  export const showEnvironments = 'orchest-lab:show-environments';
  export const saveEnvironment = 'orchest-lab:save-environment';
  // Jobs.
  export const createJob = 'orchest-lab:create-job';
  export const showJobs = 'orchest-lab:show-jobs';
  // Notebooks that are steps.
  export const runNotebookStep = 'orchest-lab:run-notebook-step';
  export const runNotebookIncoming = 'orchest-lab:run-notebook-incoming';
  export const openNotebookPipeline = 'orchest-lab:open-notebook-pipeline';
}
