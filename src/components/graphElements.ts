/**
 * React Flow nodes and edges built from the pipeline model: steps with their
 * issues, selection and run status; connections, drawn in the error colour
 * when they close a cycle and routed around nodes when they point backwards.
 */
import { Edge, MarkerType } from '@xyflow/react';

import type { IIssue } from '../api';
import { IEdge, IStep } from '../model/PipelineModel';
import { issueSteps, worstSeverity } from '../model/issues';
import { IStepFreshness } from '../model/OutputsFreshness';
import { IStepRunState } from '../model/runState';
import { StepNodeType } from './StepNode';

const EDGE_MARKER = { type: MarkerType.ArrowClosed, width: 16, height: 16 };
const CYCLE_MARKER = { ...EDGE_MARKER, color: 'var(--jp-error-color1)' };
const NO_ISSUES: readonly IIssue[] = [];

/** Build React Flow nodes from steps. */
export function buildNodes(
  steps: readonly IStep[],
  positions: ReadonlyMap<string, [number, number]>,
  issues: ReadonlyMap<string, readonly IIssue[]>,
  selected: ReadonlySet<string>,
  runSteps: Readonly<Record<string, IStepRunState>> | null = null,
  editable = false,
  freshness: ReadonlyMap<string, IStepFreshness> | null = null
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
        severity: worstSeverity(stepIssues),
        run: runSteps?.[step.uuid] ?? null,
        freshness: freshness?.get(step.uuid) ?? null
      },
      selected: selected.has(step.uuid),
      draggable: editable,
      connectable: editable,
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
  inCycle: ReadonlySet<string>,
  selected: ReadonlySet<string> = new Set()
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
      selected: selected.has(edge.id),
      focusable: false,
      deletable: false,
      selectable: true
    };
  });
}
