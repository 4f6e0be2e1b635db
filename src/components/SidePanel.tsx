/**
 * A panel on the right of the canvas that the user resizes by dragging its
 * left edge (or with the arrow keys on it) and collapses with a button;
 * collapsed, a slim bar brings it back.
 */
import React, { useRef } from 'react';

import { propertiesWidthFor } from '../model/EditorLayout';

/** Properties of {@link SidePanel}. */
export interface ISidePanelProps {
  /** What the panel is called (for the buttons' labels). */
  label: string;
  shown: boolean;
  /** The chosen width; the shown width also depends on the editor's. */
  width: number;
  onResize: (width: number) => void;
  onShow: (shown: boolean) => void;
  children: React.ReactNode;
}

const KEY_STEP = 20;

/** A resizable, collapsible side panel. */
export function SidePanel(props: ISidePanelProps): JSX.Element {
  const panelRef = useRef<HTMLDivElement>(null);
  const { label } = props;

  /** The editor's width (the panel's parent), for the width's bounds. */
  const editorWidth = () =>
    panelRef.current?.parentElement?.getBoundingClientRect().width ?? 0;

  const onPointerDown = (event: React.PointerEvent<HTMLDivElement>) => {
    if (event.button !== 0) {
      return;
    }
    event.preventDefault();
    const handle = event.currentTarget;
    handle.setPointerCapture(event.pointerId);
    const startX = event.clientX;
    const startWidth =
      panelRef.current?.getBoundingClientRect().width ?? props.width;
    const panel = panelRef.current;
    let width = startWidth;
    const onMove = (move: PointerEvent) => {
      // Dragging the left edge to the left widens the panel.
      width = propertiesWidthFor(
        startWidth + (startX - move.clientX),
        editorWidth()
      );
      if (panel) {
        panel.style.flexBasis = `${width}px`;
      }
    };
    const onUp = () => {
      handle.removeEventListener('pointermove', onMove);
      handle.removeEventListener('pointerup', onUp);
      handle.removeEventListener('pointercancel', onUp);
      props.onResize(width);
    };
    handle.addEventListener('pointermove', onMove);
    handle.addEventListener('pointerup', onUp);
    handle.addEventListener('pointercancel', onUp);
  };

  const onKeyDown = (event: React.KeyboardEvent<HTMLDivElement>) => {
    const delta =
      event.key === 'ArrowLeft'
        ? KEY_STEP
        : event.key === 'ArrowRight'
          ? -KEY_STEP
          : 0;
    if (delta !== 0) {
      event.preventDefault();
      event.stopPropagation();
      props.onResize(propertiesWidthFor(props.width + delta, editorWidth()));
    }
  };

  if (!props.shown) {
    return (
      <button
        className="orchest-lab-SidePanel-expand"
        title={`Show the ${label.toLowerCase()}`}
        aria-label={`Show the ${label.toLowerCase()}`}
        onClick={() => props.onShow(true)}
      >
        <span aria-hidden="true">‹</span>
        <span className="orchest-lab-SidePanel-expandLabel">{label}</span>
      </button>
    );
  }
  const width = propertiesWidthFor(props.width, editorWidth());
  return (
    <div
      ref={panelRef}
      className="orchest-lab-SidePanel"
      style={{ flexBasis: `${width}px` }}
    >
      <div
        className="orchest-lab-SidePanel-handle"
        role="separator"
        aria-orientation="vertical"
        aria-label={`Resize the ${label.toLowerCase()}`}
        aria-valuenow={width}
        tabIndex={0}
        onPointerDown={onPointerDown}
        onKeyDown={onKeyDown}
      />
      <button
        className="orchest-lab-SidePanel-collapse"
        title={`Hide the ${label.toLowerCase()}`}
        aria-label={`Hide the ${label.toLowerCase()}`}
        onClick={() => props.onShow(false)}
      >
        ›
      </button>
      {props.children}
    </div>
  );
}
