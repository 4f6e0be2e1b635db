/**
 * "Execution (Kubernetes)": a collapsible section of the properties panel
 * with a timeout in seconds and cpu/memory requests and limits, for a step
 * (its `timeout` and `resources`) or for a pipeline's steps (its settings
 * `step_timeout` and `step_resources`). Applied when steps run as
 * Kubernetes Jobs; each edit is one edit of the document (undoable).
 */
import React, { useState } from 'react';

import {
  IResourcesJSON,
  ResourceKind,
  ResourceName,
  hasExecutionLimits,
  parseTimeout,
  quantityProblem,
  quantityText,
  timeoutProblem,
  timeoutText,
  withQuantity
} from '../../model/execution';
import { CommittedInput, Field } from './fields';

const QUANTITIES: { kind: ResourceKind; name: ResourceName; label: string }[] =
  [
    { kind: 'requests', name: 'cpu', label: 'CPU request' },
    { kind: 'limits', name: 'cpu', label: 'CPU limit' },
    { kind: 'requests', name: 'memory', label: 'Memory request' },
    { kind: 'limits', name: 'memory', label: 'Memory limit' }
  ];

/** Properties of {@link ExecutionSection}. */
export interface IExecutionSectionProps {
  /** Makes the inputs' ids unique in the page. */
  idPrefix: string;
  timeout: unknown;
  resources: unknown;
  /** What the values apply to, for the hint. */
  scope: 'step' | 'pipeline';
  onTimeout: (seconds: number | null) => void;
  onResources: (resources: IResourcesJSON | null) => void;
}

/** The timeout and resources of a step or of a pipeline's steps. */
export function ExecutionSection(props: IExecutionSectionProps): JSX.Element {
  const { idPrefix, timeout, resources } = props;
  const [open, setOpen] = useState(() =>
    hasExecutionLimits(timeout, resources)
  );
  const hint =
    props.scope === 'step'
      ? "Used when steps run on Kubernetes; empty: the pipeline's."
      : "Every step's, unless it sets its own; used when steps run on Kubernetes.";
  return (
    <details
      className="orchest-lab-ExecutionSection"
      open={open}
      onToggle={event => setOpen(event.currentTarget.open)}
    >
      <summary className="orchest-lab-ExecutionSection-summary">
        Execution (Kubernetes)
      </summary>
      <div className="orchest-lab-Field-hint">{hint}</div>
      <Field
        label="Timeout (seconds)"
        htmlFor={`${idPrefix}-timeout`}
        hint="The step fails when it runs longer; 0: no limit."
      >
        <CommittedInput
          id={`${idPrefix}-timeout`}
          value={timeoutText(timeout)}
          placeholder="none"
          validate={timeoutProblem}
          onCommit={value => props.onTimeout(parseTimeout(value))}
        />
      </Field>
      {QUANTITIES.map(({ kind, name, label }) => (
        <Field
          key={label}
          label={label}
          htmlFor={`${idPrefix}-${kind}-${name}`}
        >
          <CommittedInput
            id={`${idPrefix}-${kind}-${name}`}
            value={quantityText(resources, kind, name)}
            placeholder={name === 'cpu' ? 'e.g. 500m' : 'e.g. 2Gi'}
            validate={quantityProblem}
            onCommit={value =>
              props.onResources(withQuantity(resources, kind, name, value))
            }
          />
        </Field>
      ))}
    </details>
  );
}
