/**
 * The pipeline editor's React tree: a notice when the text is not valid JSON,
 * the latest run's status bar, the canvas, the properties panel and the
 * validation panel. State lives in the models; this only renders them and
 * passes the user's gestures to the editor's actions.
 */
import { Edge, ReactFlowInstance } from '@xyflow/react';
import { ISignal } from '@lumino/signaling';
import React, { useCallback, useMemo, useRef } from 'react';

import type { IIssue } from '../api';
import type { DataOutputsModel } from '../model/DataOutputsModel';
import { EditorLayout } from '../model/EditorLayout';
import { EnvironmentsModel } from '../model/EnvironmentsModel';
import { FilePaletteModel } from '../model/FilePaletteModel';
import { OutputsFreshness } from '../model/OutputsFreshness';
import { PipelineModel } from '../model/PipelineModel';
import { SelectionModel } from '../model/SelectionModel';
import { ValidationModel } from '../model/ValidationModel';
import { issuesByStep } from '../model/issues';
import { Position } from '../model/pipeline';
import { IRunState } from '../model/runState';
import { FilePalette } from './FilePalette';
import { IssuePanel } from './IssueList';
import { GraphRequest, PipelineGraph } from './PipelineGraph';
import { RunBar } from './RunBar';
import { SidePanel } from './SidePanel';
import { CanvasNodeType } from './graphElements';
import {
  IPropertiesActions,
  PropertiesPanel
} from './properties/PropertiesPanel';
import { forwardShortcut } from './shortcuts';
import { useSignal } from './useSignal';

/** What the editor does for the view. */
export interface IEditorActions extends IPropertiesActions {
  moveSteps(positions: Map<string, Position>): void;
  connect(source: string, target: string): void;
  canConnect(source: string, target: string): boolean;
  dropFiles(paths: string[], position: Position): void;
  /** Add a file (server path) as a step at a free place. */
  addFile(path: string): void;
  /** List the palette's files again. */
  refreshFiles(): void;
  showRuns(): void;
  /** Run the steps whose outputs are not up to date. */
  runOutdated?(): void;
  dismissRun(): void;
  setNoteText(uuid: string, text: string): void;
  resizeNote(uuid: string, size: [number, number]): void;
  /** The canvas's context menu opened at this canvas position. */
  contextMenuAt(position: Position): void;
  /** Back from a past run to the latest one. */
  showLatestRun?(): void;
}

/** Properties of {@link PipelineEditorView}. */
export interface IPipelineEditorViewProps {
  model: PipelineModel;
  validation: ValidationModel;
  selection: SelectionModel;
  environments: EnvironmentsModel;
  /** The run whose statuses are shown, and when it changes. */
  run: () => IRunState | null;
  runChanged: ISignal<unknown, void>;
  /** What each step passed on (connection labels). */
  dataOutputs: DataOutputsModel;
  /** A labelled connection was clicked: preview its parent's output. */
  onOpenOutput?: (step: string) => void;
  /** Whether the run shown is a past one (chosen in the run history). */
  isPastRun?: () => boolean;
  /** Whether each step's outputs are up to date. */
  freshness: OutputsFreshness;
  /** Whether the properties panel is shown, and when that changes. */
  showProperties: () => boolean;
  onShowProperties: (shown: boolean) => void;
  /** The project's notebooks and scripts, and whether they are shown. */
  palette: FilePaletteModel;
  paletteShown: () => boolean;
  /** The note just added, to open for writing. */
  editNote: () => string | null;
  /** The remembered panel width and minimap choice. */
  layout: EditorLayout;
  layoutChanged: ISignal<unknown, void>;
  /** Requests to the canvas from outside React. */
  requests: ISignal<unknown, GraphRequest>;
  actions: IEditorActions;
  /** Asks to focus a step on the canvas (select + center). */
  onFocusStep: (uuid: string) => void;
  /** Opens the pipeline's text at a line and column (JSON errors). */
  onOpenLocation: (line: number, column: number) => void;
  onFlowInit: (instance: ReactFlowInstance<CanvasNodeType, Edge>) => void;
}

/** The content of a pipeline editor. */
export function PipelineEditorView(
  props: IPipelineEditorViewProps
): JSX.Element {
  const {
    model,
    validation,
    selection,
    environments,
    requests,
    actions,
    onFocusStep,
    onOpenLocation,
    layout
  } = props;
  const modelVersion = useSignal(model.changed);
  useSignal(validation.changed);
  useSignal(selection.changed);
  useSignal(props.runChanged);
  useSignal(props.dataOutputs.changed);
  useSignal(props.freshness.changed);
  useSignal(props.layoutChanged);
  useSignal(layout.changed);
  const keysRef = useRef<HTMLDivElement>(null);

  // Steps and edges are new arrays only when the text changed.
  const steps = model.steps;
  const edges = model.edges;
  const issues = validation.issues;
  const byStep = useMemo(() => issuesByStep(issues), [issues]);
  const parseError = model.parseError;
  const editable = model.pipeline !== null && parseError === null;
  const run = props.run();

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
        selection.set([issue.step_uuid]);
        onFocusStep(issue.step_uuid);
      } else if (typeof issue.line === 'number') {
        onOpenLocation(issue.line, issue.column ?? 1);
      }
    },
    [model, selection, onFocusStep, onOpenLocation]
  );

  const noteActions = useMemo(
    () => ({
      setText: actions.setNoteText,
      resize: actions.resizeNote
    }),
    [actions]
  );

  let emptyMessage: string | undefined;
  if (parseError && !model.pipeline) {
    emptyMessage = 'The pipeline cannot be shown until its JSON is fixed.';
  }

  return (
    <div
      className={`orchest-lab-PipelineEditor-body${props.isPastRun?.() ? ' orchest-lab-mod-pastRun' : ''}`}
    >
      {parseError && model.pipeline && (
        <div className="orchest-lab-PipelineEditor-notice" role="status">
          The file is not valid JSON (line {parseError.line}, column{' '}
          {parseError.column}): showing its last valid version, read-only.
        </div>
      )}
      {run && (
        <RunBar
          run={run}
          past={props.isPastRun?.() ?? false}
          onShowRuns={actions.showRuns}
          onDismiss={actions.dismissRun}
          onShowLatest={actions.showLatestRun}
          outdatedCount={props.freshness.outdated.length}
          onRunOutdated={actions.runOutdated}
        />
      )}
      <div className="orchest-lab-PipelineEditor-main">
        <FilePalette
          model={props.palette}
          shown={props.paletteShown() && editable}
          onShow={shown => layout.update({ paletteShown: shown })}
          onRefresh={actions.refreshFiles}
          onAdd={actions.addFile}
        />
        <div
          ref={keysRef}
          className="orchest-lab-GraphKeys"
          // The canvas suppresses JupyterLab's shortcuts for its keys and
          // forwards them here, where the editor's shortcuts apply.
        >
          <PipelineGraph
            steps={steps}
            edges={edges}
            issues={byStep}
            allIssues={issues}
            selection={selection}
            runSteps={run ? run.steps : null}
            outputs={props.dataOutputs.labels}
            onOpenOutput={props.onOpenOutput}
            freshness={props.freshness.steps}
            requests={requests}
            editable={editable}
            emptyMessage={emptyMessage}
            onMove={actions.moveSteps}
            onConnect={actions.connect}
            isValidConnection={actions.canConnect}
            onRefuseConnection={actions.connect}
            onOpenStep={actions.openStep}
            onDropFiles={actions.dropFiles}
            onInit={props.onFlowInit}
            notes={model.notes}
            noteActions={noteActions}
            editNote={props.editNote()}
            onContextPosition={actions.contextMenuAt}
            minimapShown={layout.state.minimapShown}
            onToggleMinimap={() =>
              layout.update({ minimapShown: !layout.state.minimapShown })
            }
            onKeyDown={event => {
              if (keysRef.current) {
                forwardShortcut(event.nativeEvent, keysRef.current);
              }
            }}
          />
        </div>
        <SidePanel
          label="Properties"
          shown={props.showProperties()}
          width={layout.state.propertiesWidth}
          onResize={width => layout.update({ propertiesWidth: width })}
          onShow={props.onShowProperties}
        >
          <PropertiesPanel
            model={model}
            selectedSteps={selection.steps}
            environments={environments}
            run={run}
            editable={editable}
            actions={actions}
          />
        </SidePanel>
      </div>
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
