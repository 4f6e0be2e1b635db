import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'orchest-lab:plugin',
  description: 'Visual data pipelines in JupyterLab.',
  autoStart: true,
  activate: (app: JupyterFrontEnd) => {
    console.log('orchest-lab is activated');
  }
};

export default plugin;
