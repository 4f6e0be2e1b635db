/**
 * The properties of one step: title, file (typed or picked), environment
 * (a dropdown of the project's environments), parameters (a JSON object),
 * and how the step did in the pipeline's latest run.
 */
import React from 'react';

import { IStep } from '../../model/PipelineModel';
import { EnvironmentsModel } from '../../model/EnvironmentsModel';
import { IStepPatch, isStepFile } from '../../model/edits';
import { isJSONObject } from '../../model/pipeline';
import {
  IRunState,
  elapsedMs,
  formatDuration,
  statusLabel
} from '../../model/runState';
import { useSignal } from '../useSignal';
import { ExecutionSection } from './ExecutionSection';
import { CommittedInput, Field, JSONObjectField } from './fields';

/** What the step properties can ask the editor to do. */
export interface IStepActions {
  updateStep(uuid: string, patch: IStepPatch): void;
  browseFile(uuid: string): void;
  openStep(uuid: string): void;
  showLog(runId: string, stepUuid: string): void;
  refreshEnvironments(): void;
  showEnvironments(environment: string): void;
}

function EnvironmentSelect(props: {
  step: IStep;
  environments: EnvironmentsModel;
  onChange: (uuid: string) => void;
  onRefresh: () => void;
  onManage: () => void;
}): JSX.Element {
  const { step, environments } = props;
  useSignal(environments.changed);
  const known = environments.find(step.environment);
  const id = `orchest-lab-env-${step.uuid}`;
  return (
    <Field label="Environment" htmlFor={id}>
      <div className="orchest-lab-Field-row">
        <select
          id={id}
          className="jp-mod-styled orchest-lab-Select"
          value={step.environment}
          onChange={event => props.onChange(event.target.value)}
        >
          <option value="">None (the file's own kernel)</option>
          {environments.environments.map(env => (
            <option key={env.uuid} value={env.uuid}>
              {env.name}
              {env.build?.state && env.build.state !== 'ready'
                ? ` (${env.build.state === 'none' ? 'not built' : env.build.state})`
                : ''}
            </option>
          ))}
          {step.environment && !known && (
            <option value={step.environment}>
              Unknown environment {step.environment.slice(0, 8)}
            </option>
          )}
        </select>
        <button
          className="jp-Button jp-mod-minimal orchest-lab-IconButton"
          title="Reload the project's environments"
          aria-label="Reload environments"
          onClick={props.onRefresh}
        >
          ↻
        </button>
      </div>
      <button
        className="jp-Button jp-mod-minimal orchest-lab-LinkButton"
        title="Build, edit and create the project's environments"
        onClick={props.onManage}
      >
        Manage environments…
      </button>
      {environments.status === 'loading' && (
        <div className="orchest-lab-Field-hint">Loading environments…</div>
      )}
      {environments.error && (
        <div
          className="orchest-lab-Field-error orchest-lab-Environments-error"
          role="alert"
        >
          {environments.error}
        </div>
      )}
      {environments.status === 'ready' &&
        environments.environments.length === 0 && (
          <div className="orchest-lab-Field-hint">
            This project has no environments yet.
          </div>
        )}
    </Field>
  );
}

function LastRun(props: {
  run: IRunState;
  uuid: string;
  onShowLog: () => void;
}): JSX.Element | null {
  const step = props.run.steps[props.uuid];
  if (!step) {
    return (
      <Field label="Latest run">
        <div className="orchest-lab-Field-hint">
          Not part of the latest run.
        </div>
      </Field>
    );
  }
  const duration = formatDuration(elapsedMs(step.startedAt, step.finishedAt));
  return (
    <Field label="Latest run">
      <div className="orchest-lab-StepRun">
        <span
          className={`orchest-lab-StatusBadge orchest-lab-RunStatus--${step.status.toLowerCase()}`}
        >
          {statusLabel(step.status)}
        </span>
        {duration && step.finishedAt && <span>{duration}</span>}
        <button
          className="jp-Button jp-mod-styled jp-mod-reject orchest-lab-StepRun-log"
          onClick={props.onShowLog}
          disabled={step.status === 'PENDING' || step.status === 'SKIPPED'}
        >
          Show log
        </button>
      </div>
      {step.failure && (
        <div className="orchest-lab-StepRun-failure" role="alert">
          {step.failure.name}: {step.failure.message}
          {typeof step.failure.cell_index === 'number' &&
            ` (cell ${step.failure.cell_index + 1})`}
        </div>
      )}
      {step.reason && !step.failure && (
        <div className="orchest-lab-Field-hint">{step.reason}</div>
      )}
    </Field>
  );
}

/** Properties of {@link StepProperties}. */
export interface IStepPropertiesProps {
  step: IStep;
  environments: EnvironmentsModel;
  run: IRunState | null;
  actions: IStepActions;
}

/** The properties of a step. */
export function StepProperties(props: IStepPropertiesProps): JSX.Element {
  const { step, environments, run, actions } = props;
  const parameters = isJSONObject(step.json.parameters)
    ? step.json.parameters
    : {};
  const titleId = `orchest-lab-title-${step.uuid}`;
  const fileId = `orchest-lab-file-${step.uuid}`;
  const paramsId = `orchest-lab-params-${step.uuid}`;
  return (
    <div className="orchest-lab-StepProperties" data-step-uuid={step.uuid}>
      <Field label="Title" htmlFor={titleId}>
        <CommittedInput
          id={titleId}
          className="orchest-lab-StepProperties-title"
          value={step.json.title === undefined ? '' : String(step.json.title)}
          onCommit={title => actions.updateStep(step.uuid, { title })}
        />
      </Field>
      <Field
        label="File"
        htmlFor={fileId}
        hint="Relative to the pipeline's folder."
      >
        <div className="orchest-lab-Field-row">
          <CommittedInput
            id={fileId}
            className="orchest-lab-StepProperties-file"
            value={step.filePath}
            validate={value =>
              value && !isStepFile(value)
                ? 'A step runs a notebook (.ipynb) or a script (.py, .sh, .R, .jl, .js)'
                : null
            }
            onCommit={file_path => actions.updateStep(step.uuid, { file_path })}
          />
          <button
            className="jp-Button jp-mod-styled jp-mod-reject"
            title="Choose the file in a file dialog"
            onClick={() => actions.browseFile(step.uuid)}
          >
            Browse…
          </button>
        </div>
        <button
          className="jp-Button jp-mod-minimal orchest-lab-LinkButton"
          disabled={!step.filePath}
          onClick={() => actions.openStep(step.uuid)}
        >
          Open {step.filePath.split('/').pop() || 'file'}
        </button>
      </Field>
      <EnvironmentSelect
        step={step}
        environments={environments}
        onChange={environment => actions.updateStep(step.uuid, { environment })}
        onRefresh={actions.refreshEnvironments}
        onManage={() => actions.showEnvironments(step.environment)}
      />
      <Field label="Parameters" htmlFor={paramsId}>
        <JSONObjectField
          id={paramsId}
          ariaLabel="Step parameters"
          value={parameters}
          onCommit={value =>
            actions.updateStep(step.uuid, { parameters: value })
          }
        />
      </Field>
      <ExecutionSection
        idPrefix={`orchest-lab-step-${step.uuid}`}
        scope="step"
        timeout={step.json.timeout}
        resources={step.json.resources}
        onTimeout={timeout => actions.updateStep(step.uuid, { timeout })}
        onResources={resources => actions.updateStep(step.uuid, { resources })}
      />
      {run && (
        <LastRun
          run={run}
          uuid={step.uuid}
          onShowLog={() => actions.showLog(run.id, step.uuid)}
        />
      )}
      <div className="orchest-lab-Field-hint orchest-lab-StepProperties-uuid">
        uuid {step.uuid}
      </div>
    </div>
  );
}
