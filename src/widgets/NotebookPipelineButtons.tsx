/**
 * The notebook toolbar's pipeline button, shown only when the notebook is a
 * step of some pipeline: one split button, "Run step" with a menu of the
 * other actions ("Run up to step", "Open pipeline"), so it fits a narrow
 * split. While a run that includes the notebook executes the steps before
 * it, a line above the cells says which steps run and how far the run is
 * (the notebook's content header: a narrow toolbar has no room for it).
 */
import { CommandRegistry } from '@lumino/commands';
import { Menu } from '@lumino/widgets';
import { ReactWidget, caretDownIcon, runIcon } from '@jupyterlab/ui-components';
import React from 'react';

import { useSignal } from '../components/useSignal';
import { NotebookSteps } from '../model/NotebookSteps';
import { notebookRunProgress } from '../model/notebookRunProgress';
import { IRunsModel } from '../tokens';

/** Command ids the buttons run (with `{path}`). */
export interface INotebookButtonCommands {
  runStep: string;
  runIncoming: string;
  openPipeline: string;
}

/** Properties of the buttons. */
interface IButtonsProps {
  path: () => string;
  steps: NotebookSteps;
  commands: CommandRegistry;
  ids: INotebookButtonCommands;
}

/** The progress line while the steps before this notebook run. */
function RunProgress(props: {
  path: () => string;
  steps: NotebookSteps;
  runs: IRunsModel;
}): JSX.Element | null {
  useSignal(props.runs.changed);
  useSignal(props.steps.changed);
  const steps = props.steps.peek(props.path());
  if (!steps || steps.length === 0) {
    return null;
  }
  const progress = notebookRunProgress(props.runs.active(), steps);
  if (!progress) {
    return null;
  }
  return (
    <span
      className="orchest-lab-NotebookButtons-progress"
      role="status"
      data-run-id={progress.runId}
      title={progress.text}
    >
      {progress.text}
    </span>
  );
}

function Buttons(props: IButtonsProps): JSX.Element | null {
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
  const openMenu = (event: React.MouseEvent<HTMLButtonElement>) => {
    const menu = new Menu({ commands: props.commands });
    menu.addClass('orchest-lab-NotebookButtons-menu');
    menu.addItem({ command: props.ids.runIncoming, args: { path } });
    menu.addItem({ command: props.ids.openPipeline, args: { path } });
    const rect = event.currentTarget.getBoundingClientRect();
    menu.aboutToClose.connect(() => setTimeout(() => menu.dispose()));
    menu.open(rect.left, rect.bottom);
  };
  return (
    <div className="orchest-lab-NotebookButtons" data-path={path}>
      <div className="orchest-lab-SplitButton">
        <button
          className="jp-ToolbarButtonComponent jp-mod-minimal jp-Button orchest-lab-NotebookButtons-step"
          title={`Run this notebook as ${where}`}
          onClick={() => run(props.ids.runStep)}
        >
          <runIcon.react
            tag="span"
            className="jp-ToolbarButtonComponent-icon"
          />
          <span className="jp-ToolbarButtonComponent-label">Run step</span>
        </button>
        <button
          className="jp-ToolbarButtonComponent jp-mod-minimal jp-Button orchest-lab-NotebookButtons-more"
          title={`More pipeline actions (${where}): run up to this step, open the pipeline`}
          aria-label="More pipeline actions"
          aria-haspopup="menu"
          onClick={openMenu}
        >
          <caretDownIcon.react
            tag="span"
            className="jp-ToolbarButtonComponent-icon"
          />
        </button>
      </div>
    </div>
  );
}

/** Create the toolbar item for a notebook at `path()`. */
export function createNotebookButtons(options: IButtonsProps): ReactWidget {
  const widget = ReactWidget.create(<Buttons {...options} />);
  widget.addClass('orchest-lab-NotebookButtons-item');
  return widget;
}

/** Create the run progress line of a notebook at `path()` (for its content header). */
export function createNotebookRunProgress(options: {
  path: () => string;
  steps: NotebookSteps;
  runs: IRunsModel;
}): ReactWidget {
  const widget = ReactWidget.create(<RunProgress {...options} />);
  widget.addClass('orchest-lab-NotebookRunProgress');
  return widget;
}
