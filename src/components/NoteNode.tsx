/**
 * A note on the canvas: a comment kept in the pipeline file, not a step
 * (no handles, never run). Double-click (or Enter when selected) edits its
 * text in place; Escape cancels, Ctrl/Cmd+Enter or leaving the field keeps
 * the text. Its bottom-right corner resizes it when it is selected.
 */
import {
  Node,
  NodeProps,
  NodeResizeControl,
  ResizeParams
} from '@xyflow/react';
import React, {
  createContext,
  memo,
  useContext,
  useEffect,
  useRef,
  useState
} from 'react';

/** What a note node renders. */
export interface INoteNodeData extends Record<string, unknown> {
  text: string;
  editable: boolean;
  /** Open the text for editing as soon as the note is drawn (a new note). */
  startEditing: boolean;
}

/** The React Flow node type of notes. */
export type NoteNodeType = Node<INoteNodeData, 'note'>;

/** What notes ask of the editor. */
export interface INoteActions {
  setText(uuid: string, text: string): void;
  resize(uuid: string, size: [number, number]): void;
}

/** The note actions of the canvas (none: read-only notes). */
export const NoteActionsContext = createContext<INoteActions | null>(null);

const MIN_WIDTH = 120;
const MIN_HEIGHT = 60;

function NoteNodeComponent({ id, data, selected }: NodeProps<NoteNodeType>) {
  const actions = useContext(NoteActionsContext);
  const canEdit = data.editable && actions !== null;
  const [editing, setEditing] = useState(data.startEditing && canEdit);
  const [draft, setDraft] = useState(data.text);
  const field = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    if (editing) {
      field.current?.focus();
      field.current?.select();
    }
  }, [editing]);

  const begin = () => {
    if (canEdit) {
      setDraft(data.text);
      setEditing(true);
    }
  };
  const finish = (keep: boolean) => {
    setEditing(false);
    if (keep && draft !== data.text) {
      actions?.setText(id, draft);
    }
  };

  return (
    <div
      className={[
        'orchest-lab-NoteNode',
        selected ? 'orchest-lab-mod-selected' : '',
        editing ? 'orchest-lab-mod-editing' : ''
      ].join(' ')}
      data-note-uuid={id}
      aria-label="Note"
      onDoubleClick={event => {
        event.stopPropagation();
        begin();
      }}
      onKeyDown={event => {
        if (!editing && event.key === 'Enter' && selected) {
          event.preventDefault();
          begin();
        }
      }}
    >
      {editing ? (
        <textarea
          ref={field}
          // Typing and selecting text neither drags the note nor zooms.
          className="orchest-lab-NoteNode-field nodrag nowheel nopan"
          aria-label="Note text"
          value={draft}
          placeholder="Write a note…"
          onChange={event => setDraft(event.target.value)}
          onBlur={() => finish(true)}
          onKeyDown={event => {
            // The canvas's keys (Delete, Ctrl+A, N) are not the field's.
            event.stopPropagation();
            if (event.key === 'Escape') {
              event.preventDefault();
              finish(false);
            } else if (
              event.key === 'Enter' &&
              (event.ctrlKey || event.metaKey)
            ) {
              event.preventDefault();
              finish(true);
            }
          }}
        />
      ) : (
        <div className="orchest-lab-NoteNode-text">
          {data.text || (
            <span className="orchest-lab-NoteNode-placeholder">
              {canEdit ? 'Double-click to write a note' : 'Empty note'}
            </span>
          )}
        </div>
      )}
      {canEdit && selected && (
        <NodeResizeControl
          className="orchest-lab-NoteNode-resize"
          position="bottom-right"
          minWidth={MIN_WIDTH}
          minHeight={MIN_HEIGHT}
          onResizeEnd={(_: unknown, params: ResizeParams) =>
            actions?.resize(id, [params.width, params.height])
          }
        />
      )}
    </div>
  );
}

/** The note node component. */
export const NoteNode = memo(NoteNodeComponent);
