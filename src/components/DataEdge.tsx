/**
 * A connection whose parent step has a stored output: drawn as the default
 * curve, with a label saying what passes along it (name, type and shape on
 * one line, size, transport and "stale" on the next). The label sits under
 * the middle of the connection, clear of the nodes' handles; a click on it
 * opens the preview.
 */
import {
  BaseEdge,
  Edge,
  EdgeLabelRenderer,
  EdgeProps,
  getBezierPath
} from '@xyflow/react';
import React from 'react';

import type { IOutputLabel } from '../model/DataOutputsModel';
import { DEFAULT_LAYOUT } from '../model/layout';

/** What a data connection carries. */
export interface IDataEdgeData extends Record<string, unknown> {
  output: IOutputLabel;
  onOpen?: (step: string) => void;
}

export type DataEdgeType = Edge<IDataEdgeData, 'data'>;

/** The React Flow edge component of connections that carry data. */
export function DataEdge(props: EdgeProps<DataEdgeType>): JSX.Element {
  const { id, sourceX, sourceY, targetX, targetY, markerEnd, style } = props;
  const [path, labelX, labelY] = getBezierPath({
    sourceX,
    sourceY,
    sourcePosition: props.sourcePosition,
    targetX,
    targetY,
    targetPosition: props.targetPosition
  });
  const output = props.data?.output;
  // Between two nodes of a row, the middle is level with them: go below.
  const level = Math.abs(targetY - sourceY) < DEFAULT_LAYOUT.nodeHeight;
  const top = level ? labelY + DEFAULT_LAYOUT.nodeHeight / 2 + 4 : labelY;
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} style={style} />
      {output && (
        <EdgeLabelRenderer>
          <button
            type="button"
            className={`orchest-lab-DataLabel nodrag nopan${output.stale ? ' orchest-lab-mod-stale' : ''}`}
            style={{
              // The label layer lets pointer events through; the label takes them.
              pointerEvents: 'all',
              transform: `translate(-50%, ${level ? '0' : '-50%'}) translate(${labelX}px, ${top}px)`
            }}
            title={output.description}
            data-step={output.step}
            onClick={event => {
              event.stopPropagation();
              props.data?.onOpen?.(output.step);
            }}
          >
            {output.lines.map((line, i) => (
              <span key={i} className="orchest-lab-DataLabel-line">
                {line}
              </span>
            ))}
          </button>
        </EdgeLabelRenderer>
      )}
    </>
  );
}
