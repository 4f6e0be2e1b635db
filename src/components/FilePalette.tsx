/**
 * The file palette on the left of the canvas: the project's notebooks and
 * scripts, a filter box, and each file draggable onto the canvas, where it
 * becomes a step (the drag is the file browser's, so the canvas's file
 * drop takes it). Collapsed, a slim bar brings it back.
 */
import { Drag } from '@lumino/dragdrop';
import { MimeData } from '@lumino/coreutils';
import React, { useRef } from 'react';

import { stepFileKind } from '../icons';
import { FilePaletteModel } from '../model/FilePaletteModel';
import { CONTENTS_MIME } from './useFileDrop';
import { useSignal } from './useSignal';

/** Properties of {@link FilePalette}. */
export interface IFilePaletteProps {
  model: FilePaletteModel;
  shown: boolean;
  onShow: (shown: boolean) => void;
  onRefresh: () => void;
  /** Add a file as a step (double-click or Enter on it). */
  onAdd: (path: string) => void;
}

/** Pixels the pointer moves before a press becomes a drag. */
const DRAG_THRESHOLD = 5;

/** Start a Lumino drag of `path` once the pointer has moved far enough. */
function startDragOnMove(event: React.PointerEvent, path: string): void {
  if (event.button !== 0) {
    return;
  }
  const startX = event.clientX;
  const startY = event.clientY;
  const item = event.currentTarget as HTMLElement;
  const onMove = (move: PointerEvent) => {
    if (
      Math.abs(move.clientX - startX) < DRAG_THRESHOLD &&
      Math.abs(move.clientY - startY) < DRAG_THRESHOLD
    ) {
      return;
    }
    stop();
    const mimeData = new MimeData();
    mimeData.setData(CONTENTS_MIME, [path]);
    const image = item.cloneNode(true) as HTMLElement;
    image.classList.add('orchest-lab-FilePalette-dragImage');
    const drag = new Drag({
      mimeData,
      dragImage: image,
      proposedAction: 'copy',
      supportedActions: 'copy',
      source: item
    });
    void drag.start(move.clientX, move.clientY);
  };
  const stop = () => {
    document.removeEventListener('pointermove', onMove, true);
    document.removeEventListener('pointerup', stop, true);
  };
  document.addEventListener('pointermove', onMove, true);
  document.addEventListener('pointerup', stop, true);
}

/** The file palette. */
export function FilePalette(props: IFilePaletteProps): JSX.Element | null {
  const { model } = props;
  useSignal(model.changed);
  const filterRef = useRef<HTMLInputElement>(null);
  if (!model.available) {
    return null;
  }
  if (!props.shown) {
    return (
      <button
        className="orchest-lab-SidePanel-expand orchest-lab-FilePalette-expand"
        title="Show the project's files"
        aria-label="Show the files"
        onClick={() => props.onShow(true)}
      >
        <span aria-hidden="true">›</span>
        <span className="orchest-lab-SidePanel-expandLabel">Files</span>
      </button>
    );
  }
  const shown = model.shown;
  return (
    <div className="orchest-lab-FilePalette" aria-label="Files">
      <div className="orchest-lab-FilePalette-header">
        <span className="orchest-lab-FilePalette-title">Files</span>
        <button
          className="orchest-lab-FilePalette-button"
          title="List the files again"
          aria-label="Refresh the files"
          onClick={props.onRefresh}
        >
          ⟳
        </button>
        <button
          className="orchest-lab-FilePalette-button"
          title="Hide the files"
          aria-label="Hide the files"
          onClick={() => props.onShow(false)}
        >
          ‹
        </button>
      </div>
      <input
        ref={filterRef}
        className="orchest-lab-FilePalette-filter jp-mod-styled"
        type="search"
        placeholder="Filter files"
        aria-label="Filter files"
        value={model.filter}
        onChange={event => {
          model.filter = event.target.value;
        }}
        onKeyDown={event => event.stopPropagation()}
      />
      {model.error && (
        <p className="orchest-lab-FilePalette-message" role="alert">
          {model.error}
        </p>
      )}
      {!model.error && !model.loading && shown.length === 0 && (
        <p className="orchest-lab-FilePalette-message">
          {model.files.length === 0
            ? 'No notebooks or scripts here yet.'
            : 'No file matches.'}
        </p>
      )}
      <ul
        className="orchest-lab-FilePalette-list"
        aria-label="Notebooks and scripts"
      >
        {shown.map(path => {
          const kind = stepFileKind(path);
          const label = model.label(path);
          return (
            <li
              key={path}
              className="orchest-lab-FilePalette-item"
              title={`${label}\nDrag onto the canvas (or double-click) to add it as a step`}
              data-path={path}
              tabIndex={0}
              onPointerDown={event => startDragOnMove(event, path)}
              onDoubleClick={() => props.onAdd(path)}
              onKeyDown={event => {
                if (event.key === 'Enter') {
                  props.onAdd(path);
                }
              }}
            >
              <kind.icon.react
                tag="span"
                className="orchest-lab-FilePalette-icon"
                elementSize="normal"
              />
              <span className="orchest-lab-FilePalette-name">{label}</span>
            </li>
          );
        })}
      </ul>
      {model.truncated && (
        <p className="orchest-lab-FilePalette-message">
          Only the first {model.files.length} files are listed: filter, or use
          the file browser.
        </p>
      )}
    </div>
  );
}
