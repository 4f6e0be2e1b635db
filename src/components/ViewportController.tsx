/**
 * Moves the canvas's view on request (fit, focus a step), and brings the
 * first steps of a pipeline that opened empty into view.
 */
import { useReactFlow, useStoreApi } from '@xyflow/react';
import { ISignal } from '@lumino/signaling';
import { useEffect, useRef } from 'react';

import { DEFAULT_LAYOUT } from '../model/layout';

/** Something the editor asks the canvas to do. */
export type GraphRequest = { kind: 'fit' } | { kind: 'focus'; uuid: string };

/** How the whole pipeline is fitted into view. */
export const FIT_VIEW_OPTIONS = { padding: 0.2, maxZoom: 1.25 };

/** Handles {@link GraphRequest}s and fits the view when steps first appear. */
export function ViewportController(props: {
  requests: ISignal<unknown, GraphRequest>;
  stepCount: number;
}) {
  const flow = useReactFlow();
  const store = useStoreApi();
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
        { zoom: Math.max(flow.getZoom(), 1), duration: 300 }
      );
    };
    requests.connect(onRequest);
    return () => {
      requests.disconnect(onRequest);
    };
  }, [requests, flow]);

  useEffect(() => {
    // The first steps of a pipeline that opened empty (or with invalid
    // JSON) are brought into view, unless they are there already (dropped
    // where the user wanted them).
    if (previousCount.current === 0 && stepCount > 0 && !allVisible()) {
      void flow.fitView(FIT_VIEW_OPTIONS);
    }
    previousCount.current = stepCount;
  }, [stepCount, flow]);

  /** Whether every node lies inside the visible area. */
  const allVisible = () => {
    const { width, height, transform } = store.getState();
    const [x, y, zoom] = transform;
    if (width === 0 || height === 0) {
      return false;
    }
    const left = -x / zoom;
    const top = -y / zoom;
    const right = left + width / zoom;
    const bottom = top + height / zoom;
    return flow
      .getNodes()
      .every(
        node =>
          node.position.x >= left &&
          node.position.y >= top &&
          node.position.x + DEFAULT_LAYOUT.nodeWidth <= right &&
          node.position.y + DEFAULT_LAYOUT.nodeHeight <= bottom
      );
  };

  return null;
}
