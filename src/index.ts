/**
 * orchest-lab: visual data pipelines in JupyterLab.
 */
import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { apiPlugin } from './plugins/api';
import { newPipelinePlugin } from './plugins/newPipeline';
import { pipelineEditorPlugin } from './plugins/pipelineEditor';

export * from './api';
export * from './tokens';

const plugins: JupyterFrontEndPlugin<any>[] = [
  apiPlugin,
  pipelineEditorPlugin,
  newPipelinePlugin
];

export default plugins;
