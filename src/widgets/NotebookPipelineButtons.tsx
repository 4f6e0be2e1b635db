/**
 * The notebook toolbar's pipeline buttons: "Run this step", "Run up to this
 * step" and "Open its pipeline", shown only when the notebook is a step of
 * some pipeline. They run the commands of the notebook plugin.
 */
import { CommandRegistry } from '@lumino/commands';
import { ReactWidget, runIcon } from '@jupyterlab/ui-components';
import React from 'react';

import { useSignal } from '../components/useSignal';
import { pipelineIcon } from '../icons';
import { NotebookSteps } from '../model/NotebookSteps';

/** Command ids the buttons run (with `{path}`). */
export interface INotebookButtonCommands {
  runStep: string;
  runIncoming: string;
  openPipeline: string;
}

function Buttons(props: {
  path: () => string;
  steps: NotebookSteps;
  commands: CommandRegistry;
  ids: INotebookButtonCommands;
}): JSX.Element | null {
  useSignal(props.steps.changed);
  const path = props.path();
  const steps = props.steps.peek(path);
  if (!steps || steps.length === 0) {
    return null;
  }
  const run = (id: string) => void props.commands.execute(id, { path });
  const where =
    steps.length === 1
      ? `step '${steps[0].title}' of ${steps[0].pipelineName}`
      : `${steps.length} steps`;
  return (
    <div className="orchest-lab-NotebookButtons" data-path={path}>
      <button
        className="jp-ToolbarButtonComponent jp-mod-minimal jp-Button orchest-lab-NotebookButtons-step"
        title={`Run this notebook as ${where}`}
        onClick={() => run(props.ids.runStep)}
      >
        <runIcon.react tag="span" className="jp-ToolbarButtonComponent-icon" />
        <span className="jp-ToolbarButtonComponent-label">Run step</span>
      </button>
      <button
        className="jp-ToolbarButtonComponent jp-mod-minimal jp-Button orchest-lab-NotebookButtons-incoming"
        title={`Run the steps this one depends on, then this one (${where})`}
        onClick={() => run(props.ids.runIncoming)}
      >
        <span className="jp-ToolbarButtonComponent-label">Run up to step</span>
      </button>
      <button
        className="jp-ToolbarButtonComponent jp-mod-minimal jp-Button orchest-lab-NotebookButtons-open"
        title={`Open the pipeline (${where})`}
        onClick={() => run(props.ids.openPipeline)}
      >
        <pipelineIcon.react
          tag="span"
          className="jp-ToolbarButtonComponent-icon"
        />
      </button>
    </div>
  );
}

/** Create the toolbar item for a notebook at `path()`. */
export function createNotebookButtons(options: {
  path: () => string;
  steps: NotebookSteps;
  commands: CommandRegistry;
  ids: INotebookButtonCommands;
}): ReactWidget {
  const widget = ReactWidget.create(<Buttons {...options} />);
  widget.addClass('orchest-lab-NotebookButtons-item');
  return widget;
}
