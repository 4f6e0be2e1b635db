/**
 * Provides the REST API client, bound to the app's server settings.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

import { OrchestLabAPI } from '../api';
import { IOrchestLabAPI } from '../tokens';

export const apiPlugin: JupyterFrontEndPlugin<IOrchestLabAPI> = {
  id: 'orchest-lab:api',
  description: 'The client of the orchest-lab REST API.',
  autoStart: true,
  provides: IOrchestLabAPI,
  activate: (app: JupyterFrontEnd): IOrchestLabAPI =>
    new OrchestLabAPI({ serverSettings: app.serviceManager.serverSettings })
};
