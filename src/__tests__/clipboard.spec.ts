import { copySteps, pasteSteps, readClipboard } from '../model/clipboard';
import { addSteps, createStep } from '../model/edits';
import { IPipelineJSON, createPipeline } from '../model/pipeline';

/** a -> b -> c, and x alone. */
function pipeline(): IPipelineJSON {
  const steps = ['a', 'b', 'c', 'x'].map((uuid, i) =>
    createStep({ uuid, filePath: `${uuid}.py`, position: [i * 100, 0] })
  );
  steps[1].incoming_connections = ['a'];
  steps[2].incoming_connections = ['b'];
  return addSteps(createPipeline({ name: 'p', uuid: 'p1' }), steps);
}

function counter() {
  let n = 0;
  return () => `new-${++n}`;
}

describe('copy and paste of steps', () => {
  it('copies the chosen steps in file order', () => {
    const copied = copySteps(pipeline(), ['c', 'b']);
    expect(copied.pipeline).toBe('p1');
    expect(copied.steps.map(step => step.uuid)).toEqual(['b', 'c']);
  });

  it('pastes with new uuids, connections among copies following them', () => {
    const copied = copySteps(pipeline(), ['b', 'c']);
    const { pipeline: pasted, pasted: uuids } = pasteSteps(pipeline(), copied, {
      newUUID: counter(),
      offset: [40, 40]
    });
    expect(uuids).toEqual(['new-1', 'new-2']);
    expect(Object.keys(pasted.steps)).toEqual([
      'a',
      'b',
      'c',
      'x',
      'new-1',
      'new-2'
    ]);
    const [b2, c2] = [pasted.steps['new-1'], pasted.steps['new-2']];
    expect(b2.uuid).toBe('new-1');
    // b's parent a exists here: kept. c's parent b was copied: the copy.
    expect(b2.incoming_connections).toEqual(['a']);
    expect(c2.incoming_connections).toEqual(['new-1']);
    expect(b2.meta_data.position).toEqual([140, 40]);
    expect(c2.meta_data.position).toEqual([240, 40]);
    expect(b2.title).toBe('b');
  });

  it('drops connections to steps the target pipeline does not have', () => {
    const copied = copySteps(pipeline(), ['b']);
    const other = createPipeline({ name: 'q', uuid: 'q1' });
    const { pipeline: pasted } = pasteSteps(other, copied, {
      newUUID: counter(),
      offset: [0, 0]
    });
    expect(pasted.steps['new-1'].incoming_connections).toEqual([]);
  });

  it('reads clipboard data back, and refuses anything else', () => {
    const copied = copySteps(pipeline(), ['a']);
    expect(readClipboard(JSON.parse(JSON.stringify(copied)))).toEqual(copied);
    expect(readClipboard({ steps: [{ title: 'no uuid' }] })).toBeNull();
    expect(readClipboard('text')).toBeNull();
    expect(readClipboard(null)).toBeNull();
  });
});
