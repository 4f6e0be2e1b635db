/**
 * The side panel of the pipeline editor: the selected step's properties,
 * a summary when several steps are selected, or the pipeline's properties
 * when nothing is.
 */
import React from 'react';

import { PipelineModel } from '../../model/PipelineModel';
import { EnvironmentsModel } from '../../model/EnvironmentsModel';
import { IPipelinePatch } from '../../model/edits';
import { IRunState } from '../../model/runState';
import { PipelineProperties } from './PipelineProperties';
import { IStepActions, StepProperties } from './StepProperties';

/** What the panel can ask the editor to do. */
export interface IPropertiesActions extends IStepActions {
  updatePipeline(patch: IPipelinePatch): void;
  deleteSelection(): void;
}

/** Properties of {@link PropertiesPanel}. */
export interface IPropertiesPanelProps {
  model: PipelineModel;
  selectedSteps: readonly string[];
  environments: EnvironmentsModel;
  run: IRunState | null;
  editable: boolean;
  actions: IPropertiesActions;
}

/** The properties panel. */
export function PropertiesPanel(props: IPropertiesPanelProps): JSX.Element {
  const { model, selectedSteps, environments, run, editable, actions } = props;
  const steps = selectedSteps
    .map(uuid => model.getStep(uuid))
    .filter(step => step !== undefined);
  let title: string;
  let body: React.ReactNode;
  if (!model.pipeline) {
    title = 'Pipeline';
    body = <p className="orchest-lab-Field-hint">Nothing to show yet.</p>;
  } else if (steps.length === 1) {
    title = 'Step';
    body = (
      <StepProperties
        key={steps[0].uuid}
        step={steps[0]}
        environments={environments}
        run={run}
        actions={actions}
      />
    );
  } else if (steps.length > 1) {
    title = `${steps.length} steps`;
    body = (
      <div className="orchest-lab-MultiSelection">
        <ul>
          {steps.map(step => (
            <li key={step.uuid}>{step.title}</li>
          ))}
        </ul>
        <button
          className="jp-Button jp-mod-styled jp-mod-warn"
          onClick={actions.deleteSelection}
          disabled={!editable}
        >
          Delete {steps.length} steps
        </button>
      </div>
    );
  } else {
    title = 'Pipeline';
    body = (
      <PipelineProperties
        pipeline={model.pipeline}
        onUpdate={actions.updatePipeline}
      />
    );
  }
  return (
    <aside
      className={`orchest-lab-PropertiesPanel${editable ? '' : ' orchest-lab-mod-readonly'}`}
      aria-label="Properties"
    >
      <header className="orchest-lab-PropertiesPanel-header">{title}</header>
      <fieldset
        className="orchest-lab-PropertiesPanel-body"
        disabled={!editable}
      >
        {body}
      </fieldset>
    </aside>
  );
}
