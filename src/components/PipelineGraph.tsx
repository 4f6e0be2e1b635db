/**
 * The pipeline canvas: steps as nodes, connections as arrows, pan/zoom,
 * fit-to-view controls and a minimap (React Flow). Positions come from the
 * file; steps without one are placed by dagre (left to right). Nodes can be
 * moved, connected, selected (click, Ctrl/Cmd+click, Shift+drag a box) and
 * files dropped from the file browser; every change goes back to the editor
 * through callbacks, which write the pipeline file.
 */
import {
  Background,
  BackgroundVariant,
  Connection,
  Edge,
  OnConnectEnd,
  ReactFlow,
  ReactFlowInstance,
  ReactFlowProvider,
  useReactFlow,
  useStore
} from '@xyflow/react';
import { ISignal } from '@lumino/signaling';
import React, { useCallback, useMemo, useRef } from 'react';

import type { IIssue } from '../api';
import type { IOutputLabel } from '../model/DataOutputsModel';
import { IEdge, IStep } from '../model/PipelineModel';
import { SelectionModel } from '../model/SelectionModel';
import { DEFAULT_LAYOUT, LayoutCache, resolvePositions } from '../model/layout';
import { INote } from '../model/notes';
import { Position } from '../model/pipeline';
import { IStepFreshness } from '../model/OutputsFreshness';
import { IStepRunState } from '../model/runState';
import { BackEdge } from './BackEdge';
import { DataEdge } from './DataEdge';
import { GraphOverview } from './GraphOverview';
import {
  GraphRequest,
  ViewportController,
  fitViewOptions
} from './ViewportController';
import {
  CanvasNodeType,
  buildEdges,
  buildNodes,
  buildNoteNodes,
  cycleEdgeIds
} from './graphElements';
import { INoteActions, NoteActionsContext, NoteNode } from './NoteNode';
import { StepNode } from './StepNode';

export type { GraphRequest } from './ViewportController';
export { buildEdges, buildNodes, cycleEdgeIds } from './graphElements';
import { useFileDrop } from './useFileDrop';
import { useCanvasChanges } from './useCanvasChanges';
import { useSignal } from './useSignal';

/** Properties of {@link PipelineGraph}. */
export interface IPipelineGraphProps {
  steps: readonly IStep[];
  edges: readonly IEdge[];
  /** Validation issues by step uuid. */
  issues: ReadonlyMap<string, readonly IIssue[]>;
  /** All validation issues (for those about connections). */
  allIssues: readonly IIssue[];
  /** The selected steps and connections; the canvas changes it. */
  selection: SelectionModel;
  /** Steps of the pipeline's latest run. */
  runSteps: Readonly<Record<string, IStepRunState>> | null;
  /** The stored output of each step that has one (connection labels). */
  outputs?: ReadonlyMap<string, IOutputLabel> | null;
  /** A labelled connection was clicked: preview its parent's output. */
  onOpenOutput?: (step: string) => void;
  /** Whether each step's outputs are up to date (by uuid; absent: unknown). */
  freshness?: ReadonlyMap<string, IStepFreshness>;
  /** Requests from outside React (fit view, focus a step). */
  requests: ISignal<unknown, GraphRequest>;
  /** Whether the graph can be changed (not while the JSON is invalid). */
  editable: boolean;
  /** What the empty canvas says. */
  emptyMessage?: string;
  /** Steps were moved (new top-left positions). */
  onMove?: (positions: Map<string, Position>) => void;
  /** The user drew a connection from `source` (parent) to `target`. */
  onConnect?: (source: string, target: string) => void;
  /** Whether a connection may be drawn (for feedback while dragging). */
  isValidConnection?: (source: string, target: string) => boolean;
  /** A connection was dropped on a handle where it may not be made. */
  onRefuseConnection?: (source: string, target: string) => void;
  /** A step was double-clicked. */
  onOpenStep?: (uuid: string) => void;
  /** Files (server paths) were dropped at a canvas position. */
  onDropFiles?: (paths: string[], position: Position) => void;
  /** The React Flow instance is ready (for coordinates and viewport). */
  onInit?: (instance: ReactFlowInstance<CanvasNodeType, Edge>) => void;
  /** Notes on the canvas, and what editing them does. */
  notes?: readonly INote[];
  noteActions?: INoteActions;
  /** A note to open for editing when it is drawn (one just added). */
  editNote?: string | null;
  /** Where (on the canvas) the context menu was last opened. */
  onContextPosition?: (position: Position) => void;
  /** Whether the minimap is shown (where the canvas is wide enough). */
  minimapShown?: boolean;
  onToggleMinimap?: () => void;
  /** A key went down on the canvas (after the canvas's own handling). */
  onKeyDown?: (event: React.KeyboardEvent<HTMLDivElement>) => void;
}

const NODE_TYPES = { step: StepNode, note: NoteNode };
const NO_NOTES: readonly INote[] = [];
const EDGE_TYPES = { back: BackEdge, data: DataEdge };
const MULTI_SELECT_KEYS = ['Meta', 'Control'];
/** Below this zoom, nodes are drawn without their details (icons, files). */
export const DETAIL_ZOOM = 0.5;
const isZoomedOut = (state: { transform: [number, number, number] }) =>
  state.transform[2] < DETAIL_ZOOM;

/** The pipeline canvas. */
export function PipelineGraph(props: IPipelineGraphProps): JSX.Element {
  return (
    <ReactFlowProvider>
      <PipelineCanvas {...props} />
    </ReactFlowProvider>
  );
}

function PipelineCanvas(props: IPipelineGraphProps): JSX.Element {
  const {
    steps,
    edges,
    issues,
    allIssues,
    selection,
    runSteps,
    freshness,
    requests,
    editable
  } = props;
  const emptyMessage =
    props.emptyMessage ??
    (editable
      ? 'This pipeline has no steps yet: drag notebooks and scripts here from the file browser.'
      : 'This pipeline has no steps yet.');
  const notes = props.notes ?? NO_NOTES;
  const flow = useReactFlow<CanvasNodeType, Edge>();
  const rootRef = useRef<HTMLDivElement>(null);
  const zoomedOut = useStore(isZoomedOut);
  useSignal(selection.changed);
  const selectedSteps = useMemo(
    () => new Set(selection.steps),
    [selection.steps]
  );
  const selectedEdges = useMemo(
    () => new Set(selection.edges),
    [selection.edges]
  );
  const selectedNotes = useMemo(
    () => new Set(selection.notes),
    [selection.notes]
  );
  const noteIds = useMemo(() => new Set(notes.map(note => note.uuid)), [notes]);
  const layoutCache = useMemo(() => new LayoutCache(), []);
  const positions = useMemo(
    () => resolvePositions(steps, edges, DEFAULT_LAYOUT, layoutCache),
    [steps, edges, layoutCache]
  );
  const baseNodes = useMemo(() => {
    const noteNodes: CanvasNodeType[] = buildNoteNodes(
      notes,
      selectedNotes,
      editable,
      props.editNote ?? null
    );
    const stepNodes: CanvasNodeType[] = buildNodes(
      steps,
      positions,
      issues,
      selectedSteps,
      runSteps,
      editable,
      props.outputs,
      props.onOpenOutput,
      freshness
    );
    return noteNodes.concat(stepNodes);
  }, [
    steps,
    positions,
    issues,
    selectedSteps,
    runSteps,
    editable,
    notes,
    selectedNotes,
    props.editNote,
    props.outputs,
    props.onOpenOutput,
    freshness
  ]);
  const { nodes, onNodesChange, onEdgesChange, onNodeDragStop } =
    useCanvasChanges(baseNodes, selection, noteIds, notes, props.onMove);
  const flowEdges = useMemo(
    () =>
      buildEdges(
        edges,
        positions,
        cycleEdgeIds(edges, allIssues),
        selectedEdges,
        props.outputs,
        props.onOpenOutput
      ),
    [
      edges,
      positions,
      allIssues,
      selectedEdges,
      props.outputs,
      props.onOpenOutput
    ]
  );

  const fitOptions = useMemo(
    () => fitViewOptions(steps.length),
    [steps.length]
  );
  const onConnect = useCallback(
    (connection: Connection) => {
      if (connection.source && connection.target) {
        props.onConnect?.(connection.source, connection.target);
      }
    },
    [props.onConnect]
  );

  const onConnectEnd = useCallback<OnConnectEnd>(
    (_, state) => {
      if (
        state.isValid !== false ||
        !state.fromNode ||
        !state.toNode ||
        !state.toHandle ||
        state.toHandle.type === state.fromHandle?.type
      ) {
        return;
      }
      // Drawn from an output to an input, or the other way round.
      const fromOutput = state.fromHandle?.type === 'source';
      const source = fromOutput ? state.fromNode.id : state.toNode.id;
      const target = fromOutput ? state.toNode.id : state.fromNode.id;
      props.onRefuseConnection?.(source, target);
    },
    [props.onRefuseConnection]
  );

  const isValidConnection = useCallback(
    (connection: Edge | Connection) =>
      !props.isValidConnection ||
      props.isValidConnection(connection.source, connection.target),
    [props.isValidConnection]
  );

  const dropping = useFileDrop(rootRef, {
    enabled: editable && props.onDropFiles !== undefined,
    onDrop: (paths, clientX, clientY) => {
      const at = flow.screenToFlowPosition({ x: clientX, y: clientY });
      // Center the node on the pointer.
      props.onDropFiles?.(paths, [
        at.x - DEFAULT_LAYOUT.nodeWidth / 2,
        at.y - DEFAULT_LAYOUT.nodeHeight / 2
      ]);
    }
  });

  return (
    <div
      ref={rootRef}
      className={[
        'orchest-lab-PipelineGraph',
        dropping ? 'orchest-lab-mod-dropTarget' : '',
        zoomedOut ? 'orchest-lab-mod-zoomedOut' : ''
      ].join(' ')}
      // Keys typed on the canvas are the graph's: JupyterLab's shortcuts see
      // them only as the editor forwards them (see PipelineEditorView).
      data-lm-suppress-shortcuts="true"
      tabIndex={-1}
      onKeyDown={props.onKeyDown}
      onMouseDown={event => {
        // Clicking the empty canvas gives it the keyboard (Delete, Ctrl+V).
        if (
          event.target instanceof Element &&
          !event.target.closest('input, textarea, select')
        ) {
          rootRef.current?.focus({ preventScroll: true });
        }
      }}
    >
      <NoteActionsContext.Provider value={props.noteActions ?? null}>
        <ReactFlow<CanvasNodeType, Edge>
          nodes={nodes}
          edges={flowEdges}
          nodeTypes={NODE_TYPES}
          edgeTypes={EDGE_TYPES}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onNodeDragStop={onNodeDragStop}
          onConnect={onConnect}
          onConnectEnd={onConnectEnd}
          isValidConnection={isValidConnection}
          onNodeDoubleClick={(_, node) => {
            if (!noteIds.has(node.id)) {
              props.onOpenStep?.(node.id);
            }
          }}
          onEdgeClick={(event, edge) => {
            // A plain click previews the data; with a modifier it only selects.
            const plain = !(event.shiftKey || event.metaKey || event.ctrlKey);
            if (plain && props.outputs?.has(edge.source)) {
              props.onOpenOutput?.(edge.source);
            }
          }}
          onNodeContextMenu={(_, node) => {
            // The context menu's commands act on the selection.
            if (noteIds.has(node.id)) {
              if (!selection.notes.includes(node.id)) {
                selection.set([], [], [node.id]);
              }
            } else if (!selection.has(node.id)) {
              selection.set([node.id]);
            }
          }}
          onPaneContextMenu={event => {
            const at = flow.screenToFlowPosition({
              x: event.clientX,
              y: event.clientY
            });
            props.onContextPosition?.([at.x, at.y]);
          }}
          onInit={props.onInit}
          // While the view moves, nothing under the pointer needs hit-testing.
          onMoveStart={() =>
            rootRef.current?.classList.add('orchest-lab-mod-moving')
          }
          onMoveEnd={() =>
            rootRef.current?.classList.remove('orchest-lab-mod-moving')
          }
          nodesDraggable={editable}
          nodesConnectable={editable}
          nodesFocusable={false}
          edgesFocusable={false}
          deleteKeyCode={null}
          selectionKeyCode="Shift"
          multiSelectionKeyCode={MULTI_SELECT_KEYS}
          zoomOnDoubleClick={false}
          fitView
          fitViewOptions={fitOptions}
          minZoom={0.05}
          maxZoom={2.5}
          attributionPosition="top-right"
        >
          <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} />
          <GraphOverview
            hasNodes={steps.length + notes.length > 0}
            fitOptions={fitOptions}
            minimapShown={props.minimapShown ?? true}
            onToggleMinimap={props.onToggleMinimap}
          />
          <ViewportController requests={requests} stepCount={steps.length} />
        </ReactFlow>
      </NoteActionsContext.Provider>
      {steps.length === 0 && notes.length === 0 && (
        <div className="orchest-lab-PipelineGraph-empty">
          <p>{emptyMessage}</p>
        </div>
      )}
    </div>
  );
}
