/**
 * The Environments panel in a main-area tab: the React view of an
 * {@link EnvironmentsPanelModel}, with a confirm dialog before deleting.
 */
import { Dialog, MainAreaWidget, showDialog } from '@jupyterlab/apputils';
import { ReactWidget, buildIcon } from '@jupyterlab/ui-components';
import React from 'react';

import type { IEnvironment } from '../api';
import { EnvironmentsView } from '../components/EnvironmentsView';
import { EnvironmentsPanelModel } from '../model/EnvironmentsPanelModel';
import { projectLabel } from '../model/paths';

/** The id of the panel's tab (for tests and the command). */
export const ENVIRONMENTS_PANEL_ID = 'orchest-lab-environments';

/** Ask before deleting an environment. */
export async function confirmDelete(
  env: IEnvironment,
  project: string | null
): Promise<boolean> {
  const result = await showDialog({
    title: 'Delete environment?',
    body:
      `Delete '${env.name || env.uuid}' of ${projectLabel(project ?? '')}: ` +
      `.orchest/environments/${env.uuid}/, its builds and its kernel? ` +
      'Steps that use it must be given another environment first.',
    buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Delete' })]
  });
  return result.button.accept;
}

/** Create the panel's tab around a model. */
export function createEnvironmentsPanel(
  model: EnvironmentsPanelModel
): MainAreaWidget<ReactWidget> {
  const content = ReactWidget.create(
    React.createElement(EnvironmentsView, {
      model,
      actions: { confirmDelete: env => confirmDelete(env, model.project) }
    })
  );
  content.addClass('orchest-lab-EnvironmentsPanel');
  const widget = new MainAreaWidget({ content });
  widget.id = ENVIRONMENTS_PANEL_ID;
  widget.title.label = 'Environments';
  widget.title.caption = "A project's environments and their builds";
  widget.title.icon = buildIcon;
  widget.title.closable = true;
  return widget;
}
