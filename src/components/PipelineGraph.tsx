/**
 * The pipeline canvas: steps as nodes, connections as arrows, pan/zoom,
 * fit-to-view controls and a minimap (React Flow). Positions come from the
 * file; steps without one are placed by dagre (left to right).
 */
import {
  Background,
  BackgroundVariant,
  Controls,
  Edge,
  MarkerType,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  useStoreApi
} from '@xyflow/react';
import { ISignal } from '@lumino/signaling';
import React, { useEffect, useMemo, useRef } from 'react';

import type { IIssue } from '../api';
import { IEdge, IStep } from '../model/PipelineModel';
import { issueSteps, worstSeverity } from '../model/issues';
import { DEFAULT_LAYOUT, resolvePositions } from '../model/layout';
import { BackEdge } from './BackEdge';
import { StepNode, StepNodeType } from './StepNode';

/** Something the editor asks the canvas to do. */
export type GraphRequest = { kind: 'fit' } | { kind: 'focus'; uuid: string };

/** Properties of {@link PipelineGraph}. */
export interface IPipelineGraphProps {
  steps: readonly IStep[];
  edges: readonly IEdge[];
  /** Validation issues by step uuid. */
  issues: ReadonlyMap<string, readonly IIssue[]>;
  /** All validation issues (for those about connections). */
  allIssues: readonly IIssue[];
  /** The selected step, if any. */
  selected: string | null;
  /** Called when the user selects a step (or clicks the empty canvas: null). */
  onSelect: (uuid: string | null) => void;
  /** Requests from outside React (fit view, focus a step). */
  requests: ISignal<unknown, GraphRequest>;
  /** What the empty canvas says. */
  emptyMessage?: string;
}

const NODE_TYPES = { step: StepNode };
const EDGE_TYPES = { back: BackEdge };
const FIT_VIEW_OPTIONS = { padding: 0.2, maxZoom: 1.25 };
const EDGE_MARKER = { type: MarkerType.ArrowClosed, width: 16, height: 16 };
const CYCLE_MARKER = { ...EDGE_MARKER, color: 'var(--jp-error-color1)' };
const NO_ISSUES: readonly IIssue[] = [];

/** Build React Flow nodes from steps. */
export function buildNodes(
  steps: readonly IStep[],
  positions: ReadonlyMap<string, [number, number]>,
  issues: ReadonlyMap<string, readonly IIssue[]>,
  selected: string | null
): StepNodeType[] {
  return steps.map(step => {
    const stepIssues = issues.get(step.uuid) ?? NO_ISSUES;
    const [x, y] = positions.get(step.uuid) ?? [0, 0];
    return {
      id: step.uuid,
      type: 'step',
      position: { x, y },
      data: {
        title: step.title,
        filePath: step.filePath,
        issues: stepIssues,
        severity: worstSeverity(stepIssues)
      },
      selected: step.uuid === selected,
      draggable: false,
      connectable: false,
      deletable: false
    };
  });
}

/**
 * The connections that close a cycle: both ends are steps of the same `cycle`
 * issue. They are drawn in the error colour.
 */
export function cycleEdgeIds(
  edges: readonly IEdge[],
  issues: readonly IIssue[]
): Set<string> {
  const cycles = issues
    .filter(issue => issue.code === 'cycle')
    .map(issue => new Set(issueSteps(issue)));
  const ids = new Set<string>();
  for (const edge of edges) {
    if (
      cycles.some(steps => steps.has(edge.source) && steps.has(edge.target))
    ) {
      ids.add(edge.id);
    }
  }
  return ids;
}

/**
 * Build React Flow edges from pipeline connections. A connection pointing
 * backwards (to a step left of its parent) is routed around the nodes.
 */
export function buildEdges(
  edges: readonly IEdge[],
  positions: ReadonlyMap<string, [number, number]>,
  inCycle: ReadonlySet<string>
): Edge[] {
  return edges.map(edge => {
    const [sourceX] = positions.get(edge.source) ?? [0, 0];
    const [targetX] = positions.get(edge.target) ?? [0, 0];
    const backwards = targetX <= sourceX;
    return {
      id: edge.id,
      source: edge.source,
      target: edge.target,
      type: backwards ? 'back' : 'default',
      markerEnd: inCycle.has(edge.id) ? CYCLE_MARKER : EDGE_MARKER,
      className: inCycle.has(edge.id)
        ? 'orchest-lab-Connection orchest-lab-Connection--cycle'
        : 'orchest-lab-Connection',
      focusable: false,
      deletable: false,
      selectable: false
    };
  });
}

/** Handles {@link GraphRequest}s and fits the view when steps first appear. */
function ViewportController(props: {
  requests: ISignal<unknown, GraphRequest>;
  stepCount: number;
}) {
  const flow = useReactFlow();
  const { requests, stepCount } = props;
  const previousCount = useRef(stepCount);

  useEffect(() => {
    const onRequest = (_: unknown, request: GraphRequest) => {
      if (request.kind === 'fit') {
        void flow.fitView({ ...FIT_VIEW_OPTIONS, duration: 200 });
        return;
      }
      const node = flow.getNode(request.uuid);
      if (!node) {
        return;
      }
      const width = node.measured?.width ?? DEFAULT_LAYOUT.nodeWidth;
      const height = node.measured?.height ?? DEFAULT_LAYOUT.nodeHeight;
      void flow.setCenter(
        node.position.x + width / 2,
        node.position.y + height / 2,
        {
          zoom: Math.max(flow.getZoom(), 1),
          duration: 300
        }
      );
    };
    requests.connect(onRequest);
    return () => {
      requests.disconnect(onRequest);
    };
  }, [requests, flow]);

  useEffect(() => {
    // The first steps of a pipeline that opened empty (or with invalid JSON).
    if (previousCount.current === 0 && stepCount > 0) {
      void flow.fitView(FIT_VIEW_OPTIONS);
    }
    previousCount.current = stepCount;
  }, [stepCount, flow]);

  return null;
}

/** The pipeline canvas. */
export function PipelineGraph(props: IPipelineGraphProps): JSX.Element {
  return (
    <ReactFlowProvider>
      <PipelineCanvas {...props} />
    </ReactFlowProvider>
  );
}

function PipelineCanvas(props: IPipelineGraphProps): JSX.Element {
  const { steps, edges, issues, allIssues, selected, onSelect, requests } =
    props;
  const emptyMessage = props.emptyMessage ?? 'This pipeline has no steps yet.';
  const store = useStoreApi<StepNodeType, Edge>();
  const positions = useMemo(
    () => resolvePositions(steps, edges),
    [steps, edges]
  );
  const nodes = useMemo(() => {
    // Hand React Flow the sizes it measured (with their handles) so that a
    // re-render for new issues or a new selection keeps the nodes measured;
    // nodes it has not fully measured yet are left for it to measure.
    const lookup = store.getState().nodeLookup;
    return buildNodes(steps, positions, issues, selected).map(node => {
      const known = lookup.get(node.id);
      return known?.internals.handleBounds && known.measured.width
        ? { ...node, measured: known.measured }
        : node;
    });
  }, [store, steps, positions, issues, selected]);
  const flowEdges = useMemo(
    () => buildEdges(edges, positions, cycleEdgeIds(edges, allIssues)),
    [edges, positions, allIssues]
  );

  return (
    <div className="orchest-lab-PipelineGraph">
      <ReactFlow<StepNodeType, Edge>
        nodes={nodes}
        edges={flowEdges}
        nodeTypes={NODE_TYPES}
        edgeTypes={EDGE_TYPES}
        onNodeClick={(_, node) => onSelect(node.id)}
        onPaneClick={() => onSelect(null)}
        nodesDraggable={false}
        nodesConnectable={false}
        edgesFocusable={false}
        deleteKeyCode={null}
        fitView
        fitViewOptions={FIT_VIEW_OPTIONS}
        minZoom={0.1}
        maxZoom={2.5}
        attributionPosition="top-right"
      >
        <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} />
        <Controls showInteractive={false} />
        {steps.length > 0 && (
          <MiniMap<StepNodeType>
            pannable
            zoomable
            ariaLabel="Pipeline overview"
            nodeClassName={node =>
              node.data.severity
                ? `orchest-lab-MiniMapNode--${node.data.severity}`
                : ''
            }
          />
        )}
        <ViewportController requests={requests} stepCount={steps.length} />
      </ReactFlow>
      {steps.length === 0 && (
        <div className="orchest-lab-PipelineGraph-empty">
          <p>{emptyMessage}</p>
        </div>
      )}
    </div>
  );
}
