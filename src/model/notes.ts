/**
 * Notes on the canvas: comments kept in the pipeline file, in a top-level
 * `notes` list (an orchest-lab extension; runs ignore it). Each note has a
 * uuid, its text, a position and an optional size. Reading tolerates any
 * shape; the edits return changed copies, like those of `edits.ts`.
 */
import { cloneJSON, roundPosition } from './edits';
import { IPipelineJSON, Position, isJSONObject } from './pipeline';

/** A note, as the canvas shows it. */
export interface INote {
  uuid: string;
  text: string;
  /** Top-left corner. */
  position: Position;
  /** Width and height; null: the default size. */
  size: [number, number] | null;
}

/** The size of a note that has none of its own. */
export const DEFAULT_NOTE_SIZE: [number, number] = [220, 110];

/** A note as stored in the file. */
export interface INoteJSON {
  uuid: string;
  text: string;
  position: Position;
  size?: [number, number];
  [key: string]: unknown;
}

const isPair = (value: unknown): value is [number, number] =>
  Array.isArray(value) &&
  value.length === 2 &&
  value.every(item => typeof item === 'number' && Number.isFinite(item));

/** The notes of a parsed pipeline; malformed entries are left out. */
export function readNotes(pipeline: unknown): INote[] {
  if (!isJSONObject(pipeline) || !Array.isArray(pipeline.notes)) {
    return [];
  }
  const notes: INote[] = [];
  const seen = new Set<string>();
  for (const entry of pipeline.notes) {
    if (
      !isJSONObject(entry) ||
      typeof entry.uuid !== 'string' ||
      seen.has(entry.uuid) ||
      !isPair(entry.position)
    ) {
      continue;
    }
    seen.add(entry.uuid);
    notes.push({
      uuid: entry.uuid,
      text: typeof entry.text === 'string' ? entry.text : '',
      position: [entry.position[0], entry.position[1]],
      size:
        isPair(entry.size) && entry.size[0] > 0 && entry.size[1] > 0
          ? [entry.size[0], entry.size[1]]
          : null
    });
  }
  return notes;
}

/** The notes list of a pipeline copy (created when missing). */
function notesOf(pipeline: IPipelineJSON): unknown[] {
  if (!Array.isArray(pipeline.notes)) {
    pipeline.notes = [];
  }
  return pipeline.notes as unknown[];
}

/** Change the stored notes that `change` picks, by uuid. */
function editNotes(
  pipeline: IPipelineJSON,
  change: (note: INoteJSON) => void
): IPipelineJSON {
  const copy = cloneJSON(pipeline);
  for (const entry of notesOf(copy)) {
    if (isJSONObject(entry) && typeof entry.uuid === 'string') {
      change(entry as INoteJSON);
    }
  }
  return copy;
}

/** Add a note (after the existing ones). */
export function addNote(
  pipeline: IPipelineJSON,
  note: { uuid: string; text: string; position: Position }
): IPipelineJSON {
  const copy = cloneJSON(pipeline);
  notesOf(copy).push({
    uuid: note.uuid,
    text: note.text,
    position: roundPosition(note.position)
  });
  return copy;
}

/** Change a note's text. */
export function setNoteText(
  pipeline: IPipelineJSON,
  uuid: string,
  text: string
): IPipelineJSON {
  return editNotes(pipeline, note => {
    if (note.uuid === uuid) {
      note.text = text;
    }
  });
}

/** Change a note's size (whole pixels). */
export function resizeNote(
  pipeline: IPipelineJSON,
  uuid: string,
  size: [number, number]
): IPipelineJSON {
  return editNotes(pipeline, note => {
    if (note.uuid === uuid) {
      note.size = [
        Math.max(1, Math.round(size[0])),
        Math.max(1, Math.round(size[1]))
      ];
    }
  });
}

/** Store new positions of notes (others in `positions` are ignored). */
export function moveNotes(
  pipeline: IPipelineJSON,
  positions: ReadonlyMap<string, Position>
): IPipelineJSON {
  return editNotes(pipeline, note => {
    const position = positions.get(note.uuid);
    if (position) {
      note.position = roundPosition(position);
    }
  });
}

/** Remove notes; the list goes when it is empty. */
export function removeNotes(
  pipeline: IPipelineJSON,
  uuids: Iterable<string>
): IPipelineJSON {
  const removed = new Set(uuids);
  if (!Array.isArray(pipeline.notes) || removed.size === 0) {
    return cloneJSON(pipeline);
  }
  const copy = cloneJSON(pipeline);
  const kept = notesOf(copy).filter(
    entry =>
      !(
        isJSONObject(entry) &&
        typeof entry.uuid === 'string' &&
        removed.has(entry.uuid)
      )
  );
  if (kept.length === 0) {
    delete copy.notes;
  } else {
    copy.notes = kept;
  }
  return copy;
}
