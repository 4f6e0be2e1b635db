/**
 * orchest-lab: visual data pipelines in JupyterLab.
 */
import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { apiPlugin } from './plugins/api';
import { elyraPlugin } from './plugins/elyra';
import { environmentsPlugin } from './plugins/environments';
import { fileBrowserPlugin } from './plugins/fileBrowser';
import { jobsPlugin } from './plugins/jobs';
import { newPipelinePlugin } from './plugins/newPipeline';
import { notebookPlugin } from './plugins/notebook';
import { pipelineEditorPlugin } from './plugins/pipelineEditor';
import { runLauncherPlugin, runsPlugin } from './plugins/runs';
import { sidebarPlugin } from './plugins/sidebar';

export * from './api';
export * from './editorTracker';
export * from './ids';
export * from './tokens';

const plugins: JupyterFrontEndPlugin<any>[] = [
  apiPlugin,
  runsPlugin,
  runLauncherPlugin,
  pipelineEditorPlugin,
  newPipelinePlugin,
  sidebarPlugin,
  notebookPlugin,
  fileBrowserPlugin,
  environmentsPlugin,
  jobsPlugin,
  elyraPlugin
];

export default plugins;
