/**
 * The pipeline graph as a standalone SVG document (for "Export as SVG/PNG"):
 * drawn from the model, not copied from the screen, so it is the same at any
 * zoom and needs no stylesheet. Colours come from a palette (the current
 * theme's, read by the caller).
 */
import type { RunStatus } from '../api';
import { IEdge, IStep } from './PipelineModel';
import { DEFAULT_LAYOUT } from './layout';
import { Position } from './pipeline';

/** Colours of the exported image. */
export interface ISVGPalette {
  background: string;
  node: string;
  border: string;
  text: string;
  mutedText: string;
  edge: string;
  /** Stripe colours of run statuses. */
  status: Partial<Record<RunStatus, string>>;
  fontFamily: string;
}

/** A light palette, used when the theme's cannot be read. */
export const DEFAULT_PALETTE: ISVGPalette = {
  background: '#ffffff',
  node: '#ffffff',
  border: '#bdbdbd',
  text: '#212121',
  mutedText: '#616161',
  edge: '#757575',
  status: {
    PENDING: '#9e9e9e',
    STARTED: '#1976d2',
    SUCCESS: '#388e3c',
    FAILURE: '#d32f2f',
    SKIPPED: '#bdbdbd',
    ABORTED: '#f57c00'
  },
  fontFamily: 'system-ui, -apple-system, sans-serif'
};

/** Escape text for XML. */
export function escapeXML(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** Shorten text to about `max` characters with an ellipsis. */
export function ellipsize(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}

/** Options of {@link pipelineToSVG}. */
export interface ISVGOptions {
  steps: readonly IStep[];
  edges: readonly IEdge[];
  positions: ReadonlyMap<string, Position>;
  /** Run status of steps, drawn as a coloured stripe. */
  statuses?: ReadonlyMap<string, RunStatus>;
  palette?: ISVGPalette;
  /** Space around the graph. */
  margin?: number;
}

/** The SVG document of a pipeline graph; its size is in `width`/`height`. */
export function pipelineToSVG(options: ISVGOptions): {
  svg: string;
  width: number;
  height: number;
} {
  const palette = options.palette ?? DEFAULT_PALETTE;
  const margin = options.margin ?? 40;
  const { nodeWidth: w, nodeHeight: h } = DEFAULT_LAYOUT;
  const at = (uuid: string): Position => options.positions.get(uuid) ?? [0, 0];
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const step of options.steps) {
    const [x, y] = at(step.uuid);
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x + w);
    maxY = Math.max(maxY, y + h);
  }
  if (options.steps.length === 0) {
    minX = minY = 0;
    maxX = maxY = 0;
  }
  const width = Math.ceil(maxX - minX + 2 * margin);
  const height = Math.ceil(maxY - minY + 2 * margin);
  const dx = margin - minX;
  const dy = margin - minY;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
      `viewBox="0 0 ${width} ${height}" font-family="${escapeXML(palette.fontFamily)}">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" ' +
      'markerWidth="8" markerHeight="8" orient="auto-start-reverse">' +
      `<path d="M 0 0 L 10 5 L 0 10 z" fill="${palette.edge}"/></marker></defs>`,
    `<rect width="${width}" height="${height}" fill="${palette.background}"/>`
  );
  for (const edge of options.edges) {
    const [sx, sy] = at(edge.source);
    const [tx, ty] = at(edge.target);
    const x1 = sx + w + dx;
    const y1 = sy + h / 2 + dy;
    const x2 = tx + dx;
    const y2 = ty + h / 2 + dy;
    const bend = Math.max(40, Math.abs(x2 - x1) / 2);
    parts.push(
      `<path class="edge" d="M ${x1} ${y1} C ${x1 + bend} ${y1}, ${x2 - bend} ${y2}, ${x2} ${y2}" ` +
        `fill="none" stroke="${palette.edge}" stroke-width="1.5" marker-end="url(#arrow)"/>`
    );
  }
  for (const step of options.steps) {
    const [sx, sy] = at(step.uuid);
    const x = sx + dx;
    const y = sy + dy;
    const status = options.statuses?.get(step.uuid);
    const stripe = status ? palette.status[status] : undefined;
    const file = step.filePath.split('/').pop() || 'no file';
    parts.push(
      `<g class="step" data-step-uuid="${escapeXML(step.uuid)}">`,
      `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="8" ` +
        `fill="${palette.node}" stroke="${stripe ?? palette.border}" stroke-width="${stripe ? 2 : 1}"/>`
    );
    if (stripe) {
      parts.push(
        `<rect x="${x}" y="${y}" width="6" height="${h}" rx="3" fill="${stripe}"/>`
      );
    }
    parts.push(
      `<text x="${x + 16}" y="${y + 24}" font-size="13" font-weight="600" fill="${palette.text}">` +
        `${escapeXML(ellipsize(step.title, 24))}</text>`,
      `<text x="${x + 16}" y="${y + 42}" font-size="11" fill="${palette.mutedText}">` +
        `${escapeXML(ellipsize(file, 30))}</text>`,
      '</g>'
    );
  }
  parts.push('</svg>');
  return { svg: parts.join('\n') + '\n', width, height };
}
