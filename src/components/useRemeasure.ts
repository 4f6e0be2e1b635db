/**
 * Keeps the pipeline's nodes measured.
 *
 * React Flow takes a node's measured size from the node objects it is given.
 * The canvas builds new objects when the pipeline, its issues or a run change;
 * React Flow adopts them in an effect, after paint. A measurement that arrives
 * between the two is lost with the old objects, and the node stays hidden:
 * nothing resizes, so nothing measures it again. This hook notes which nodes
 * were measured and measures again those that lost their size.
 */
import {
  Node,
  NodeChange,
  useStoreApi,
  useUpdateNodeInternals
} from '@xyflow/react';
import { useCallback, useEffect, useRef } from 'react';

/** Call the returned function with every node change React Flow reports. */
export function useRemeasure<N extends Node>(
  nodes: readonly N[]
): (changes: readonly NodeChange<N>[]) => void {
  const store = useStoreApi<N>();
  const updateNodeInternals = useUpdateNodeInternals();
  const measured = useRef(new Set<string>());

  // Runs after React Flow's own effect has adopted `nodes`.
  useEffect(() => {
    const lookup = store.getState().nodeLookup;
    const lost: string[] = [];
    for (const id of measured.current) {
      const node = lookup.get(id);
      if (!node) {
        measured.current.delete(id);
      } else if (!node.measured.width || !node.internals.handleBounds) {
        lost.push(id);
      }
    }
    if (lost.length > 0) {
      updateNodeInternals(lost);
    }
  }, [nodes, store, updateNodeInternals]);

  return useCallback((changes: readonly NodeChange<N>[]) => {
    for (const change of changes) {
      if (change.type === 'dimensions' && change.dimensions) {
        measured.current.add(change.id);
      }
    }
  }, []);
}
