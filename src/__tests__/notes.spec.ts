import {
  addNote,
  moveNotes,
  readNotes,
  removeNotes,
  resizeNote,
  setNoteText
} from '../model/notes';
import { moveSteps } from '../model/edits';
import { IPipelineJSON, createPipeline } from '../model/pipeline';

function pipeline(): IPipelineJSON {
  return createPipeline({ name: 'p', uuid: 'p1' });
}

describe('notes', () => {
  it('are added at the end of a top-level list, kept as written', () => {
    let edited = addNote(pipeline(), {
      uuid: 'n1',
      text: 'Why',
      position: [10.4, 20.6]
    });
    edited = addNote(edited, { uuid: 'n2', text: '', position: [0, 0] });
    expect(edited.notes).toEqual([
      { uuid: 'n1', text: 'Why', position: [10, 21] },
      { uuid: 'n2', text: '', position: [0, 0] }
    ]);
    expect(Object.keys(edited).at(-1)).toBe('notes');
    expect(readNotes(edited).map(note => note.uuid)).toEqual(['n1', 'n2']);
  });

  it('never change the pipeline they are given', () => {
    const original = addNote(pipeline(), {
      uuid: 'n1',
      text: 'a',
      position: [0, 0]
    });
    const before = JSON.stringify(original);
    setNoteText(original, 'n1', 'b');
    resizeNote(original, 'n1', [300, 200]);
    moveNotes(original, new Map([['n1', [5, 5]]]));
    removeNotes(original, ['n1']);
    expect(JSON.stringify(original)).toBe(before);
  });

  it('are edited, resized, moved and removed by uuid, keeping unknown fields', () => {
    let edited: IPipelineJSON = {
      ...pipeline(),
      notes: [
        { uuid: 'n1', text: 'a', position: [0, 0], colour: 'yellow' },
        { uuid: 'n2', text: 'b', position: [9, 9] }
      ]
    };
    edited = setNoteText(edited, 'n1', 'first');
    edited = resizeNote(edited, 'n1', [300.2, 0]);
    // Steps and notes move together from one map.
    edited = moveSteps(edited, new Map([['n2', [50, 60]]]));
    edited = moveNotes(edited, new Map([['n2', [50, 60]]]));
    expect(edited.notes).toEqual([
      {
        uuid: 'n1',
        text: 'first',
        position: [0, 0],
        colour: 'yellow',
        size: [300, 1]
      },
      { uuid: 'n2', text: 'b', position: [50, 60] }
    ]);
    expect(Object.keys(edited.steps)).toEqual([]);
    edited = removeNotes(edited, ['n1']);
    expect(readNotes(edited).map(note => note.uuid)).toEqual(['n2']);
    edited = removeNotes(edited, ['n2']);
    expect('notes' in edited).toBe(false);
  });

  it('are read from any shape, leaving out what is not a note', () => {
    expect(readNotes({ notes: 'many' })).toEqual([]);
    expect(readNotes(null)).toEqual([]);
    expect(
      readNotes({
        notes: [
          { uuid: 'ok', text: 't', position: [1, 2], size: [100, 50] },
          { uuid: 'ok', text: 'duplicate', position: [1, 2] },
          { uuid: 'nopos', text: 't' },
          { uuid: 'badsize', text: 5, position: [0, 0], size: [-1, 3] },
          'junk'
        ]
      })
    ).toEqual([
      { uuid: 'ok', text: 't', position: [1, 2], size: [100, 50] },
      { uuid: 'badsize', text: '', position: [0, 0], size: null }
    ]);
  });
});
