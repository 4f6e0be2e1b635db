/**
 * The pipeline editor's React tree: a notice when the text is not valid JSON,
 * the canvas, and the validation panel. State lives in the models; this only
 * renders them and keeps the selection.
 */
import { ISignal } from '@lumino/signaling';
import React, { useCallback, useMemo, useState } from 'react';

import type { IIssue } from '../api';
import { PipelineModel } from '../model/PipelineModel';
import { ValidationModel } from '../model/ValidationModel';
import { issuesByStep } from '../model/issues';
import { IssuePanel } from './IssueList';
import { GraphRequest, PipelineGraph } from './PipelineGraph';
import { useSignal } from './useSignal';

/** Properties of {@link PipelineEditorView}. */
export interface IPipelineEditorViewProps {
  model: PipelineModel;
  validation: ValidationModel;
  /** Requests to the canvas from outside React. */
  requests: ISignal<unknown, GraphRequest>;
  /** Asks to focus a step on the canvas (select + center). */
  onFocusStep: (uuid: string) => void;
  /** Opens the pipeline's text at a line and column (JSON errors). */
  onOpenLocation: (line: number, column: number) => void;
}

/** The content of a pipeline editor. */
export function PipelineEditorView(
  props: IPipelineEditorViewProps
): JSX.Element {
  const { model, validation, requests, onFocusStep, onOpenLocation } = props;
  const modelVersion = useSignal(model.changed);
  useSignal(validation.changed);
  const [selected, setSelected] = useState<string | null>(null);

  // Steps and edges are new arrays only when the text changed.
  const steps = model.steps;
  const edges = model.edges;
  const issues = validation.issues;
  const byStep = useMemo(() => issuesByStep(issues), [issues]);
  const parseError = model.parseError;

  const stepTitle = useCallback(
    (uuid: string) => model.getStep(uuid)?.title,
    [model, modelVersion]
  );
  const canActivate = useCallback(
    (issue: IIssue) =>
      (issue.step_uuid !== null &&
        model.getStep(issue.step_uuid) !== undefined) ||
      typeof issue.line === 'number',
    [model, modelVersion]
  );
  const onActivate = useCallback(
    (issue: IIssue) => {
      if (issue.step_uuid !== null && model.getStep(issue.step_uuid)) {
        setSelected(issue.step_uuid);
        onFocusStep(issue.step_uuid);
      } else if (typeof issue.line === 'number') {
        onOpenLocation(issue.line, issue.column ?? 1);
      }
    },
    [model, onFocusStep, onOpenLocation]
  );

  let emptyMessage: string | undefined;
  if (parseError && !model.pipeline) {
    emptyMessage = 'The pipeline cannot be shown until its JSON is fixed.';
  }

  return (
    <div className="orchest-lab-PipelineEditor-body">
      {parseError && model.pipeline && (
        <div className="orchest-lab-PipelineEditor-notice" role="status">
          The file is not valid JSON (line {parseError.line}, column{' '}
          {parseError.column}): showing its last valid version.
        </div>
      )}
      <PipelineGraph
        steps={steps}
        edges={edges}
        issues={byStep}
        allIssues={issues}
        selected={selected}
        onSelect={setSelected}
        requests={requests}
        emptyMessage={emptyMessage}
      />
      <IssuePanel
        status={validation.status}
        issues={issues}
        error={validation.error}
        stepTitle={stepTitle}
        canActivate={canActivate}
        onActivate={onActivate}
      />
    </div>
  );
}
