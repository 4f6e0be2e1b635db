/**
 * Moves the canvas's view on request (fit, focus a step), and brings the
 * first steps of a pipeline that opened empty into view.
 *
 * From a request until the view stands still, the canvas (`.react-flow`)
 * carries `data-view-moving`: whoever reads places on screen (the browser
 * tests) waits for that state instead of guessing how long a move takes.
 * It also carries `data-view-size`, the canvas size the view last answered
 * (fitted to, or left where the user put it): the canvas learns of a resize a
 * frame or more after the layout changed, and until then a reader comparing
 * this with the canvas's size knows that a fit may still come.
 */
import {
  useOnViewportChange,
  useReactFlow,
  useStore,
  useStoreApi
} from '@xyflow/react';
import { ISignal } from '@lumino/signaling';
import { useCallback, useEffect, useRef } from 'react';

import { DEFAULT_LAYOUT } from '../model/layout';

/** Something the editor asks the canvas to do. */
export type GraphRequest =
  /** `afterChange`: the nodes are about to move (fit their new places). */
  | { kind: 'fit'; afterChange?: boolean }
  | { kind: 'focus'; uuid: string }
  /** Pan (at the same zoom) until these nodes are visible. */
  | { kind: 'reveal'; uuids: string[] };

/**
 * Up to this many steps, fitting the pipeline never zooms out below
 * {@link READABLE_ZOOM}: its middle is shown readable rather than all of
 * it too small to read (the view pans to the rest).
 */
export const SMALL_PIPELINE = 12;
/** The zoom at which a node's text is still readable (about 10 px). */
export const READABLE_ZOOM = 0.75;

/** How the whole pipeline is fitted into view. */
export const FIT_VIEW_OPTIONS = { padding: 0.1, maxZoom: 1.25 };

/** How a pipeline of `stepCount` steps is fitted into view. */
export function fitViewOptions(stepCount: number): {
  padding: number;
  maxZoom: number;
  minZoom?: number;
} {
  return stepCount <= SMALL_PIPELINE
    ? { ...FIT_VIEW_OPTIONS, minZoom: READABLE_ZOOM }
    : FIT_VIEW_OPTIONS;
}

/** Handles {@link GraphRequest}s and fits the view when steps first appear. */
export function ViewportController(props: {
  requests: ISignal<unknown, GraphRequest>;
  stepCount: number;
}) {
  const flow = useReactFlow();
  const store = useStoreApi();
  const { requests, stepCount } = props;
  const previousCount = useRef(stepCount);
  // The latest move asked for, and whether its transition began.
  const latest = useRef({ id: 0, started: false });
  // Whether a move of ours is under way, and whether the user moved the view
  // (then a resize of the editor leaves the view where the user put it).
  const ours = useRef(false);
  const userMoved = useRef(false);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  // The latest step count, for fits requested from outside React.
  const count = useRef(stepCount);
  count.current = stepCount;
  const fitOptions = () => fitViewOptions(count.current);
  const width = useStore(state => state.width);
  const height = useStore(state => state.height);

  const setMoving = (moving: boolean) => {
    ours.current = moving;
    store.getState().domNode?.toggleAttribute('data-view-moving', moving);
  };
  const settle = (id: number) => {
    if (latest.current.id === id) {
      setMoving(false);
    }
  };
  /** Mark the view as moving until `move`'s promise settles. */
  const track = (move: () => Promise<unknown>) => {
    const id = ++latest.current.id;
    latest.current.started = false;
    setMoving(true);
    move().then(
      () => settle(id),
      () => settle(id)
    );
  };
  // The promise of a transition that the user interrupts never settles, but
  // the view's gesture ends all the same.
  const onStart = useCallback(() => {
    if (!ours.current) {
      userMoved.current = true;
    }
    latest.current.started = true;
  }, []);
  const onEnd = useCallback(() => {
    if (latest.current.started) {
      settle(latest.current.id);
    }
  }, []);
  useOnViewportChange({ onStart, onEnd });

  useEffect(() => {
    const move = async (request: GraphRequest) => {
      if (request.kind === 'fit') {
        if (request.afterChange) {
          await nodesChanged(before, latest.current.id);
        }
        await flow.fitView({ ...fitOptions(), duration: 200 });
        return;
      }
      if (request.kind === 'reveal') {
        await reveal(request.uuids);
        return;
      }
      const node = flow.getNode(request.uuid);
      if (!node) {
        return;
      }
      const width = node.measured?.width ?? DEFAULT_LAYOUT.nodeWidth;
      const height = node.measured?.height ?? DEFAULT_LAYOUT.nodeHeight;
      await flow.setCenter(
        node.position.x + width / 2,
        node.position.y + height / 2,
        { zoom: Math.max(flow.getZoom(), 1), duration: 300 }
      );
    };
    let before = store.getState().nodes;
    const onRequest = (_: unknown, request: GraphRequest) => {
      before = store.getState().nodes;
      // A frame later: the canvas first draws what changed with the request
      // (auto-layout's new positions).
      track(
        () =>
          new Promise(resolve =>
            requestAnimationFrame(() => resolve(move(request)))
          )
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
      track(() => flow.fitView(fitOptions()));
    }
    previousCount.current = stepCount;
  }, [stepCount, flow]);

  useEffect(() => {
    // The editor changed size (a notebook opened beside it, a panel closed):
    // the pipeline is fitted again, unless the user moved the view.
    const answered = () =>
      store
        .getState()
        .domNode?.setAttribute('data-view-size', `${width}x${height}`);
    if (width === 0 || height === 0 || stepCount === 0 || userMoved.current) {
      answered();
      return;
    }
    const frame = requestAnimationFrame(() => {
      answered();
      track(() => flow.fitView(fitOptions()));
    });
    return () => cancelAnimationFrame(frame);
  }, [width, height]);

  /**
   * Resolves once the canvas has other nodes than `before` (the change that
   * came with request `id` is drawn: a large graph on a busy machine takes
   * many frames), or once another request came or the canvas went away.
   */
  const nodesChanged = async (before: unknown[], id: number) => {
    while (
      store.getState().nodes === before &&
      latest.current.id === id &&
      mounted.current
    ) {
      await new Promise(resolve => requestAnimationFrame(resolve));
    }
  };

  /** Center the view on nodes (at the same zoom) unless all are visible. */
  const reveal = async (uuids: string[], tries = 10): Promise<void> => {
    if (uuids.some(uuid => !flow.getNode(uuid))) {
      // The new steps are drawn a frame or two after they are written.
      if (tries > 0) {
        await new Promise(resolve => requestAnimationFrame(resolve));
        return reveal(uuids, tries - 1);
      }
      return;
    }
    if (allVisible(new Set(uuids))) {
      return;
    }
    const bounds = flow.getNodesBounds(uuids);
    await flow.setCenter(
      bounds.x + bounds.width / 2,
      bounds.y + bounds.height / 2,
      { zoom: flow.getZoom(), duration: 200 }
    );
  };

  /** Whether every node (of `only`, if given) lies inside the visible area. */
  const allVisible = (only?: ReadonlySet<string>) => {
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
      .filter(node => !only || only.has(node.id))
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
