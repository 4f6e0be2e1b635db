/**
 * Where things are on a pipeline editor's canvas, in canvas coordinates: what
 * placing new steps and notes needs.
 */
import { Edge, ReactFlowInstance } from '@xyflow/react';

import { CanvasNodeType } from '../components/graphElements';
import { DEFAULT_LAYOUT } from '../model/layout';
import { IRect } from '../model/placement';

type Flow = ReactFlowInstance<CanvasNodeType, Edge>;

/** The visible part of the canvas drawn inside `host`. */
export function visibleRect(
  host: HTMLElement,
  flow: Flow | null
): IRect | null {
  const rect = host
    .querySelector('.orchest-lab-PipelineGraph')
    ?.getBoundingClientRect();
  if (!flow || !rect || rect.width === 0) {
    return null;
  }
  const topLeft = flow.screenToFlowPosition({ x: rect.left, y: rect.top });
  const bottomRight = flow.screenToFlowPosition({
    x: rect.right,
    y: rect.bottom
  });
  return {
    x: topLeft.x,
    y: topLeft.y,
    width: bottomRight.x - topLeft.x,
    height: bottomRight.y - topLeft.y
  };
}

/** Where every node is drawn, by uuid. */
export function drawnNodeRects(flow: Flow | null): Map<string, IRect> {
  const rects = new Map<string, IRect>();
  for (const node of flow?.getNodes() ?? []) {
    rects.set(node.id, {
      x: node.position.x,
      y: node.position.y,
      width: node.measured?.width ?? DEFAULT_LAYOUT.nodeWidth,
      height: node.measured?.height ?? DEFAULT_LAYOUT.nodeHeight
    });
  }
  return rects;
}
