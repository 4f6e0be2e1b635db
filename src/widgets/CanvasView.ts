/**
 * What a pipeline editor asks of its canvas: where things are drawn, and
 * moves of the view (handled by the canvas's ViewportController). Requests
 * made before the canvas is up wait for it.
 */
import { Signal } from '@lumino/signaling';
import { Edge, ReactFlowInstance } from '@xyflow/react';

import { CanvasNodeType } from '../components/graphElements';
import { GraphRequest } from '../components/PipelineGraph';
import { IRect } from '../model/placement';
import { drawnNodeRects, visibleRect } from './canvasGeometry';

export class CanvasView {
  /** `host`: the node the canvas is drawn in. */
  constructor(host: HTMLElement) {
    this._host = host;
  }

  /** The view moves the canvas is asked for. */
  readonly requests = new Signal<this, GraphRequest>(this);

  /** The canvas is up: a focus asked for meanwhile happens now. */
  attach(flow: ReactFlowInstance<CanvasNodeType, Edge>): void {
    this._flow = flow;
    if (this._pendingFocus) {
      this.focus(this._pendingFocus);
      this._pendingFocus = null;
    }
  }

  /** The visible part of the canvas, in canvas coordinates. */
  visibleRect(): IRect | null {
    return visibleRect(this._host, this._flow);
  }

  /** Where every node is drawn, by uuid, in canvas coordinates. */
  nodeRects(): Map<string, IRect> {
    return drawnNodeRects(this._flow);
  }

  /** Pan the view so that these steps are visible (when they are not). */
  reveal(uuids: readonly string[]): void {
    this.requests.emit({ kind: 'reveal', uuids: [...uuids] });
  }

  /** Fit the whole pipeline into the view. */
  fit(afterChange = false): void {
    this.requests.emit({ kind: 'fit', afterChange });
  }

  /** Center the view on a step, now or once the canvas is up. */
  focus(uuid: string): void {
    if (this._flow) {
      this.requests.emit({ kind: 'focus', uuid });
    } else {
      this._pendingFocus = uuid;
    }
  }

  private _host: HTMLElement;
  private _flow: ReactFlowInstance<CanvasNodeType, Edge> | null = null;
  private _pendingFocus: string | null = null;
}
