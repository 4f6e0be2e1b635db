/**
 * The pipeline's own properties: name, parameters, settings (parallelism,
 * data passing memory, auto eviction), environment variables, and the
 * steps' timeout and resources on Kubernetes.
 */
import React from 'react';

import { IPipelinePatch } from '../../model/edits';
import { IPipelineJSON, isJSONObject } from '../../model/pipeline';
import { EnvVariablesField } from './EnvVariablesField';
import { ExecutionSection } from './ExecutionSection';
import { CommittedInput, Field, JSONObjectField } from './fields';

/** Properties of {@link PipelineProperties}. */
export interface IPipelinePropertiesProps {
  pipeline: Readonly<IPipelineJSON>;
  onUpdate: (patch: IPipelinePatch) => void;
}

const MEMORY_SIZE = /^\d+(\.\d+)?\s*(KB|MB|GB)$/;

/** The pipeline's properties. */
export function PipelineProperties(
  props: IPipelinePropertiesProps
): JSX.Element {
  const { pipeline, onUpdate } = props;
  const settings: Record<string, unknown> = isJSONObject(pipeline.settings)
    ? pipeline.settings
    : {};
  const parameters = isJSONObject(pipeline.parameters)
    ? pipeline.parameters
    : {};
  const variables: Record<string, string> = {};
  if (isJSONObject(pipeline.env_variables)) {
    for (const [name, value] of Object.entries(pipeline.env_variables)) {
      variables[name] = String(value);
    }
  }
  const parallelism =
    typeof settings.max_steps_parallelism === 'number'
      ? String(settings.max_steps_parallelism)
      : '0';
  return (
    <div className="orchest-lab-PipelineProperties">
      <Field label="Name" htmlFor="orchest-lab-pipeline-name">
        <CommittedInput
          id="orchest-lab-pipeline-name"
          value={typeof pipeline.name === 'string' ? pipeline.name : ''}
          validate={value => (value.trim() ? null : 'A pipeline needs a name')}
          onCommit={name => onUpdate({ name })}
        />
      </Field>
      <Field
        label="Parameters"
        htmlFor="orchest-lab-pipeline-parameters"
        hint="Every step reads them with orchest.get_pipeline_param()."
      >
        <JSONObjectField
          id="orchest-lab-pipeline-parameters"
          ariaLabel="Pipeline parameters"
          value={parameters}
          onCommit={value => onUpdate({ parameters: value })}
        />
      </Field>
      <Field
        label="Steps at once"
        htmlFor="orchest-lab-pipeline-parallelism"
        hint="0: as many as the server allows."
      >
        <CommittedInput
          id="orchest-lab-pipeline-parallelism"
          type="number"
          value={parallelism}
          validate={value =>
            /^\d+$/.test(value.trim()) ? null : 'A whole number, 0 or more'
          }
          onCommit={value =>
            onUpdate({
              settings: { max_steps_parallelism: Number(value.trim()) }
            })
          }
        />
      </Field>
      <Field
        label="Data passing memory"
        htmlFor="orchest-lab-pipeline-memory"
        hint="Shared memory for outputs passed between steps, e.g. 1GB."
      >
        <CommittedInput
          id="orchest-lab-pipeline-memory"
          value={
            typeof settings.data_passing_memory_size === 'string'
              ? settings.data_passing_memory_size
              : '1GB'
          }
          validate={value =>
            MEMORY_SIZE.test(value.trim())
              ? null
              : 'A size such as 1GB: a number followed by KB, MB or GB'
          }
          onCommit={value =>
            onUpdate({ settings: { data_passing_memory_size: value.trim() } })
          }
        />
      </Field>
      <Field label="Memory eviction">
        <label className="orchest-lab-Checkbox">
          <input
            type="checkbox"
            checked={settings.auto_eviction === true}
            onChange={event =>
              onUpdate({ settings: { auto_eviction: event.target.checked } })
            }
          />
          Free outputs once every step that reads them has run
        </label>
      </Field>
      <Field label="Environment variables">
        <EnvVariablesField
          value={variables}
          onCommit={env_variables => onUpdate({ env_variables })}
        />
      </Field>
      <ExecutionSection
        idPrefix="orchest-lab-pipeline"
        scope="pipeline"
        timeout={settings.step_timeout}
        resources={settings.step_resources}
        onTimeout={step_timeout => onUpdate({ settings: { step_timeout } })}
        onResources={step_resources =>
          onUpdate({ settings: { step_resources } })
        }
      />
    </div>
  );
}
