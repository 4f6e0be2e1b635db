/**
 * React hook: what the canvas does with React Flow's changes while the user
 * works (selecting, dragging, resizing notes). Selections go to the
 * selection model at once; positions and sizes are drawn as they change and
 * handed on (to be written to the file) when the gesture ends.
 */
import { Edge, EdgeChange, NodeChange, useStoreApi } from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';

import { SelectionModel } from '../model/SelectionModel';
import { INote } from '../model/notes';
import { Position } from '../model/pipeline';
import { CanvasNodeType } from './graphElements';
import { useRemeasure } from './useRemeasure';

/** The nodes to draw and the change handlers of the canvas. */
export function useCanvasChanges(
  baseNodes: CanvasNodeType[],
  selection: SelectionModel,
  noteIds: ReadonlySet<string>,
  notes: readonly INote[],
  onMove: ((positions: Map<string, Position>) => void) | undefined
) {
  // Sizes of notes being resized; the file is written when they are let go.
  const [resizing, setResizing] = useState<Map<
    string,
    { width: number; height: number }
  > | null>(null);
  useEffect(() => setResizing(null), [notes]);
  // Positions of nodes being dragged; the file is written when they drop.
  const [dragged, setDraggedState] = useState<Map<string, Position> | null>(
    null
  );
  const draggedRef = useRef<Map<string, Position> | null>(null);
  const setDragged = (value: Map<string, Position> | null) => {
    draggedRef.current = value;
    setDraggedState(value);
  };

  // React Flow keeps the sizes it measures to itself in a controlled canvas;
  // the minimap and the next adoption of new node objects read them from the
  // nodes it is given. Bumped when it measured: the nodes then carry them.
  const store = useStoreApi<CanvasNodeType, Edge>();
  const [measuredAt, setMeasuredAt] = useState(0);

  const nodes = useMemo(() => {
    // Steps get the sizes measured with their handles (notes have their own
    // sizes); those not fully measured yet are left for React Flow to measure.
    const lookup = store.getState().nodeLookup;
    return baseNodes.map(node => {
      const known = noteIds.has(node.id) ? undefined : lookup.get(node.id);
      if (known?.internals.handleBounds && known.measured.width) {
        node = { ...node, measured: known.measured };
      }
      const at = dragged?.get(node.id);
      const size = resizing?.get(node.id);
      let changed = at ? { ...node, position: { x: at[0], y: at[1] } } : node;
      if (size) {
        changed = { ...changed, ...size };
      }
      return changed;
    });
  }, [baseNodes, dragged, resizing, store, noteIds, measuredAt]);
  const noteMeasured = useRemeasure(nodes);
  const onNodesChange = useCallback(
    (changes: NodeChange<CanvasNodeType>[]) => {
      noteMeasured(changes);
      if (changes.some(c => c.type === 'dimensions' && !c.resizing)) {
        setMeasuredAt(count => count + 1);
      }
      const picked = new Set(selection.steps);
      const pickedNotes = new Set(selection.notes);
      let selectionChanged = false;
      let moved: Map<string, Position> | null = null;
      let sized: Map<string, { width: number; height: number }> | null = null;
      for (const change of changes) {
        if (change.type === 'select') {
          selectionChanged = true;
          const set = noteIds.has(change.id) ? pickedNotes : picked;
          if (change.selected) {
            set.add(change.id);
          } else {
            set.delete(change.id);
          }
        } else if (
          change.type === 'dimensions' &&
          change.resizing &&
          change.dimensions &&
          noteIds.has(change.id)
        ) {
          sized = sized ?? new Map();
          sized.set(change.id, change.dimensions);
        } else if (change.type === 'position' && change.position) {
          moved = moved ?? new Map(draggedRef.current ?? []);
          moved.set(change.id, [change.position.x, change.position.y]);
        }
      }
      if (selectionChanged) {
        selection.set([...picked], selection.edges, [...pickedNotes]);
      }
      if (moved) {
        setDragged(moved);
      }
      if (sized) {
        const update = sized;
        setResizing(previous => new Map([...(previous ?? []), ...update]));
      }
      // Sizes and other changes are React Flow's own business.
    },
    [selection, noteMeasured, noteIds]
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange<Edge>[]) => {
      const picked = new Set(selection.edges);
      let changed = false;
      for (const change of changes) {
        if (change.type === 'select') {
          changed = true;
          if (change.selected) {
            picked.add(change.id);
          } else {
            picked.delete(change.id);
          }
        }
      }
      if (changed) {
        selection.set(selection.steps, [...picked], selection.notes);
      }
    },
    [selection]
  );

  const onNodeDragStop = useCallback(() => {
    const moved = draggedRef.current;
    if (moved && moved.size > 0) {
      onMove?.(new Map(moved));
    }
    setDragged(null);
  }, [onMove]);

  return { nodes, onNodesChange, onEdgesChange, onNodeDragStop };
}
