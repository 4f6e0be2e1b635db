/**
 * The canvas's corner tools: the zoom and fit controls, a button showing or
 * hiding the minimap, and the minimap itself, sized to the canvas and left
 * out when the canvas is too narrow for it.
 */
import { ControlButton, Controls, MiniMap, useStore } from '@xyflow/react';
import React from 'react';

import { minimapSizeFor } from '../model/EditorLayout';
import { CanvasNodeType } from './graphElements';

/** Properties of {@link GraphOverview}. */
export interface IGraphOverviewProps {
  /** Whether the pipeline has nodes to show in a minimap. */
  hasNodes: boolean;
  /** How the fit button fits the view. */
  fitOptions: { padding: number; maxZoom: number; minZoom?: number };
  /** The user's choice (the canvas may still be too narrow). */
  minimapShown: boolean;
  onToggleMinimap?: () => void;
}

/** The minimap class of a node: its validation and run state. */
function minimapNodeClass(node: CanvasNodeType): string {
  if (node.type === 'note') {
    return 'orchest-lab-MiniMapNode--note';
  }
  return [
    node.data.severity ? `orchest-lab-MiniMapNode--${node.data.severity}` : '',
    node.data.run
      ? `orchest-lab-MiniMapNode--${node.data.run.status.toLowerCase()}`
      : ''
  ].join(' ');
}

/** Controls and minimap of the canvas. */
export function GraphOverview(props: IGraphOverviewProps): JSX.Element {
  const width = useStore(state => state.width);
  const height = useStore(state => state.height);
  const size = minimapSizeFor(width, height);
  const shown = props.hasNodes && props.minimapShown && size !== null;
  return (
    <>
      <Controls showInteractive={false} fitViewOptions={props.fitOptions}>
        {props.onToggleMinimap && size !== null && (
          <ControlButton
            className="orchest-lab-MinimapToggle"
            onClick={props.onToggleMinimap}
            title={
              props.minimapShown ? 'Hide the overview' : 'Show the overview'
            }
            aria-label={
              props.minimapShown ? 'Hide the overview' : 'Show the overview'
            }
            aria-pressed={props.minimapShown}
          >
            <svg viewBox="0 0 16 16" aria-hidden="true">
              <rect
                x="1.5"
                y="3.5"
                width="13"
                height="9"
                rx="1"
                fill="none"
                stroke="currentColor"
                strokeWidth="1.5"
              />
              <rect x="8" y="7" width="5" height="4" />
            </svg>
          </ControlButton>
        )}
      </Controls>
      {shown && (
        <MiniMap<CanvasNodeType>
          pannable
          zoomable
          ariaLabel="Pipeline overview"
          style={{ width: size.width, height: size.height }}
          nodeClassName={minimapNodeClass}
        />
      )}
    </>
  );
}
