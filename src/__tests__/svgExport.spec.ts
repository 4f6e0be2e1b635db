import { readEdges, readSteps } from '../model/PipelineModel';
import { DEFAULT_LAYOUT } from '../model/layout';
import { ellipsize, escapeXML, pipelineToSVG } from '../model/svgExport';

const STEPS = readSteps({
  steps: {
    a: {
      uuid: 'a',
      title: 'Load <raw> & "clean"',
      file_path: 'data/load.ipynb',
      incoming_connections: []
    },
    b: {
      uuid: 'b',
      title: 'Train',
      file_path: 'train.py',
      incoming_connections: ['a']
    }
  }
});
const POSITIONS = new Map<string, [number, number]>([
  ['a', [100, 50]],
  ['b', [400, 150]]
]);

describe('pipelineToSVG', () => {
  it('draws every step and connection, sized to the graph plus a margin', () => {
    const { svg, width, height } = pipelineToSVG({
      steps: STEPS,
      edges: readEdges(STEPS),
      positions: POSITIONS,
      margin: 10
    });
    expect(width).toBe(300 + DEFAULT_LAYOUT.nodeWidth + 20);
    expect(height).toBe(100 + DEFAULT_LAYOUT.nodeHeight + 20);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(
      true
    );
    expect(svg.match(/<g class="step"/g)).toHaveLength(2);
    expect(svg.match(/<path class="edge"/g)).toHaveLength(1);
    // Text is escaped; files show their name only.
    expect(svg).toContain('Load &lt;raw&gt; &amp; &quot;clean&quot;');
    expect(svg).toContain('>load.ipynb<');
    // The first node sits at the margin.
    expect(svg).toContain('<rect x="10" y="10"');
    expect(svg.trim().endsWith('</svg>')).toBe(true);
  });

  it('marks run statuses with a coloured stripe', () => {
    const { svg } = pipelineToSVG({
      steps: STEPS,
      edges: [],
      positions: POSITIONS,
      statuses: new Map([['b', 'FAILURE']]),
      palette: {
        background: '#000',
        node: '#111',
        border: '#222',
        text: '#eee',
        mutedText: '#aaa',
        edge: '#888',
        status: { FAILURE: '#f00' },
        fontFamily: 'sans-serif'
      }
    });
    expect(svg.match(/fill="#f00"/g)).toHaveLength(1);
    expect(svg).toContain('fill="#000"');
  });

  it('makes an empty image for an empty pipeline', () => {
    const { width, height } = pipelineToSVG({
      steps: [],
      edges: [],
      positions: new Map(),
      margin: 5
    });
    expect([width, height]).toEqual([10, 10]);
  });

  it('escapes and shortens text', () => {
    expect(escapeXML('<a href="x">&</a>')).toBe(
      '&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;'
    );
    expect(ellipsize('abcdef', 4)).toBe('abc…');
    expect(ellipsize('abc', 4)).toBe('abc');
  });
});
