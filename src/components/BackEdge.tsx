/**
 * A connection that points backwards (to a step left of its parent, as in a
 * cycle): drawn as a curve dipping under the nodes instead of through them.
 */
import { BaseEdge, EdgeProps } from '@xyflow/react';
import React from 'react';

import { DEFAULT_LAYOUT } from '../model/layout';

/** The SVG path of a backwards connection. */
export function backEdgePath(
  sourceX: number,
  sourceY: number,
  targetX: number,
  targetY: number
): string {
  const dip = Math.max(
    DEFAULT_LAYOUT.nodeHeight * 1.5,
    Math.abs(targetY - sourceY) / 2 + 60
  );
  const reach = Math.max(80, (sourceX - targetX) / 4);
  return (
    `M ${sourceX},${sourceY} ` +
    `C ${sourceX + reach},${sourceY + dip} ${targetX - reach},${targetY + dip} ${targetX},${targetY}`
  );
}

/** The React Flow edge component of backwards connections. */
export function BackEdge(props: EdgeProps): JSX.Element {
  const { id, sourceX, sourceY, targetX, targetY, markerEnd, style } = props;
  return (
    <BaseEdge
      id={id}
      path={backEdgePath(sourceX, sourceY, targetX, targetY)}
      markerEnd={markerEnd}
      style={style}
    />
  );
}
