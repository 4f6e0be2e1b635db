/**
 * React hook: accept files dragged from JupyterLab's file browser (a Lumino
 * drag carrying their paths) onto an element.
 */
import { RefObject, useEffect, useRef, useState } from 'react';

/** The MIME type under which the file browser puts the dragged paths. */
export const CONTENTS_MIME = 'application/x-jupyter-icontents';

/** The part of a Lumino drag event this hook reads and sets. */
interface ILuminoDragEvent extends Event {
  mimeData: { hasData(mime: string): boolean; getData(mime: string): unknown };
  proposedAction: string;
  dropAction: string;
  clientX: number;
  clientY: number;
}

/** Options of {@link useFileDrop}. */
export interface IFileDropOptions {
  enabled: boolean;
  /** Called with the dropped paths (relative to the server root). */
  onDrop: (paths: string[], clientX: number, clientY: number) => void;
}

/**
 * Listen for Lumino drags of files onto `ref`'s element. Returns whether
 * files are being dragged over it (to highlight the drop target).
 */
export function useFileDrop(
  ref: RefObject<HTMLElement>,
  options: IFileDropOptions
): boolean {
  const [over, setOver] = useState(false);
  const latest = useRef(options);
  latest.current = options;

  useEffect(() => {
    const node = ref.current;
    if (!node) {
      return;
    }
    const accepts = (event: Event): event is ILuminoDragEvent => {
      const drag = event as ILuminoDragEvent;
      return (
        latest.current.enabled &&
        drag.mimeData !== undefined &&
        drag.mimeData.hasData(CONTENTS_MIME)
      );
    };
    const onEnterOrOver = (event: Event) => {
      if (!accepts(event)) {
        return;
      }
      event.preventDefault();
      event.stopPropagation();
      // The file browser offers only 'move'; the file stays where it is.
      event.dropAction = event.proposedAction;
      setOver(true);
    };
    const onLeave = (event: Event) => {
      if (!accepts(event)) {
        return;
      }
      event.preventDefault();
      event.stopPropagation();
      const related = (event as unknown as MouseEvent).relatedTarget;
      if (!(related instanceof Node) || !node.contains(related)) {
        setOver(false);
      }
    };
    const onDrop = (event: Event) => {
      if (!accepts(event)) {
        return;
      }
      event.preventDefault();
      event.stopPropagation();
      setOver(false);
      const data = event.mimeData.getData(CONTENTS_MIME);
      const paths = Array.isArray(data)
        ? data.filter((p): p is string => typeof p === 'string')
        : [];
      if (paths.length === 0) {
        event.dropAction = 'none';
        return;
      }
      event.dropAction = event.proposedAction;
      latest.current.onDrop(paths, event.clientX, event.clientY);
    };
    node.addEventListener('lm-dragenter', onEnterOrOver);
    node.addEventListener('lm-dragover', onEnterOrOver);
    node.addEventListener('lm-dragleave', onLeave);
    node.addEventListener('lm-drop', onDrop);
    return () => {
      node.removeEventListener('lm-dragenter', onEnterOrOver);
      node.removeEventListener('lm-dragover', onEnterOrOver);
      node.removeEventListener('lm-dragleave', onLeave);
      node.removeEventListener('lm-drop', onDrop);
    };
  }, [ref]);

  return over;
}
