/**
 * React Flow nodes and edges built from the pipeline model: steps with their
 * issues, selection and run status; connections, drawn in the error colour
 * when they close a cycle and routed around nodes when they point backwards.
 */
import { Edge, MarkerType } from '@xyflow/react';

import type { IIssue } from '../api';
import type { IOutputLabel } from '../model/DataOutputsModel';
import { IEdge, IStep } from '../model/PipelineModel';
import { issueSteps, worstSeverity } from '../model/issues';
import { IStepFreshness } from '../model/OutputsFreshness';
import { IStepRunState } from '../model/runState';
import { DEFAULT_NOTE_SIZE, INote } from '../model/notes';
import { NoteNodeType } from './NoteNode';
import { StepNodeType } from './StepNode';

/** Every kind of node on the canvas. */
export type CanvasNodeType = StepNodeType | NoteNodeType;

const EDGE_MARKER = { type: MarkerType.ArrowClosed, width: 16, height: 16 };
const CYCLE_MARKER = { ...EDGE_MARKER, color: 'var(--jp-error-color1)' };
const NO_ISSUES: readonly IIssue[] = [];

/** Build React Flow nodes from notes (drawn behind the steps). */
export function buildNoteNodes(
  notes: readonly INote[],
  selected: ReadonlySet<string>,
  editable: boolean,
  startEditing: string | null
): NoteNodeType[] {
  return notes.map(note => {
    const [width, height] = note.size ?? DEFAULT_NOTE_SIZE;
    return {
      id: note.uuid,
      type: 'note',
      position: { x: note.position[0], y: note.position[1] },
      width,
      height,
      zIndex: -1,
      data: {
        text: note.text,
        editable,
        startEditing: note.uuid === startEditing
      },
      selected: selected.has(note.uuid),
      draggable: editable,
      connectable: false,
      deletable: false
    };
  });
}

/** Build React Flow nodes from steps. */
export function buildNodes(
  steps: readonly IStep[],
  positions: ReadonlyMap<string, [number, number]>,
  issues: ReadonlyMap<string, readonly IIssue[]>,
  selected: ReadonlySet<string>,
  runSteps: Readonly<Record<string, IStepRunState>> | null = null,
  editable = false,
  outputs: ReadonlyMap<string, IOutputLabel> | null = null,
  onOpenOutput?: (uuid: string) => void,
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
        output: outputs?.get(step.uuid) ?? null,
        onOpenOutput,
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
 * backwards (to a step left of its parent) is routed around the nodes. A
 * connection whose parent has a stored output is labelled with it.
 */
export function buildEdges(
  edges: readonly IEdge[],
  positions: ReadonlyMap<string, [number, number]>,
  inCycle: ReadonlySet<string>,
  selected: ReadonlySet<string> = new Set(),
  outputs: ReadonlyMap<string, IOutputLabel> | null = null,
  onOpenOutput?: (step: string) => void
): Edge[] {
  return edges.map(edge => {
    const [sourceX] = positions.get(edge.source) ?? [0, 0];
    const [targetX] = positions.get(edge.target) ?? [0, 0];
    const backwards = targetX <= sourceX;
    const output = outputs?.get(edge.source);
    return {
      id: edge.id,
      source: edge.source,
      target: edge.target,
      // Backwards connections are routed around nodes and go unlabelled.
      type: backwards ? 'back' : output ? 'data' : 'default',
      ...(output && { data: { output, onOpen: onOpenOutput } }),
      markerEnd: inCycle.has(edge.id) ? CYCLE_MARKER : EDGE_MARKER,
      className: [
        'orchest-lab-Connection',
        inCycle.has(edge.id) ? 'orchest-lab-Connection--cycle' : '',
        output ? 'orchest-lab-Connection--data' : '',
        output?.stale ? 'orchest-lab-Connection--stale' : ''
      ]
        .filter(Boolean)
        .join(' '),
      selected: selected.has(edge.id),
      focusable: false,
      deletable: false,
      selectable: true
    };
  });
}
