/**
 * The Pipelines sidebar: a left-area panel with two sections, the pipelines
 * under the server root (with their latest run) and the run history.
 */
import {
  ReactWidget,
  SidePanel,
  ToolbarButton,
  refreshIcon
} from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import { ISignal, Signal } from '@lumino/signaling';
import React from 'react';

import {
  IPipelinesPanelActions,
  PipelinesPanel
} from '../components/PipelinesPanel';
import { IRunsPanelActions, RunsPanel } from '../components/RunsPanel';
import { pipelineIcon } from '../icons';
import { PipelineListModel } from '../model/PipelineListModel';
import { IRunsModel } from '../tokens';

/** The id of the sidebar (for the layout restorer and tests). */
export const SIDEBAR_ID = 'orchest-lab-pipelines-sidebar';

/** Options of {@link createPipelinesSidebar}. */
export interface IPipelinesSidebarOptions {
  list: PipelineListModel;
  runs: IRunsModel;
  pipelineActions: IPipelinesPanelActions;
  runActions: IRunsPanelActions;
  /** The pipeline of the current editor, and when it changes. */
  currentPipeline: () => string | null;
  currentChanged: ISignal<unknown, unknown>;
}

/** The sidebar panel; it says when it is shown (to load lazily). */
export class PipelinesSidebar extends SidePanel {
  /** Emitted each time the panel is shown. */
  get shown(): ISignal<this, void> {
    return this._shown;
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._shown.emit();
  }

  private _shown = new Signal<this, void>(this);
}

/** Create the sidebar. */
export function createPipelinesSidebar(
  options: IPipelinesSidebarOptions
): PipelinesSidebar {
  const panel = new PipelinesSidebar();
  panel.id = SIDEBAR_ID;
  panel.addClass('orchest-lab-Sidebar');
  panel.title.icon = pipelineIcon;
  panel.title.caption = 'Pipelines and runs';

  const header = document.createElement('h2');
  header.textContent = 'Orchest Lab';
  header.className = 'orchest-lab-Sidebar-title';
  panel.header.node.appendChild(header);

  panel.toolbar.addItem(
    'refresh',
    new ToolbarButton({
      icon: refreshIcon,
      tooltip: 'Reload the pipelines and runs',
      onClick: () => {
        void options.list.refresh();
        void options.runs
          .refresh()
          .catch(reason =>
            console.warn('orchest-lab: could not list runs', reason)
          );
      }
    })
  );

  const pipelines = ReactWidget.create(
    React.createElement(PipelinesPanel, {
      list: options.list,
      runs: options.runs,
      actions: options.pipelineActions
    })
  );
  pipelines.id = `${SIDEBAR_ID}-pipelines`;
  pipelines.title.label = 'Pipelines';
  pipelines.addClass('orchest-lab-Sidebar-section');

  const history = ReactWidget.create(
    React.createElement(RunsPanel, {
      runs: options.runs,
      currentPipeline: options.currentPipeline,
      currentChanged: options.currentChanged,
      actions: options.runActions
    })
  );
  history.id = `${SIDEBAR_ID}-runs`;
  history.title.label = 'Runs';
  history.addClass('orchest-lab-Sidebar-section');

  panel.addWidget(pipelines);
  panel.addWidget(history);
  return panel;
}
