/**
 * What a conversion between Elyra and orchest-lab pipelines could not carry
 * over, as lines for people to read.
 */
import type { IUnmappedItem } from '../api/types';

/** The file extension of Elyra pipelines. */
export const ELYRA_FILE_EXTENSION = '.pipeline';

/** One line: `node: what: message (at pointer)`. */
export function unmappedLine(item: IUnmappedItem): string {
  const node = item.node ? `${item.node}: ` : '';
  const at = item.pointer ? ` (at ${item.pointer})` : '';
  return `${node}${item.what}: ${item.message}${at}`;
}

/** The heading of the list: how many items did not map. */
export function unmappedSummary(count: number, source: string): string {
  if (count === 0) {
    return `Everything in ${source} was carried over.`;
  }
  return `${count} ${count === 1 ? 'item' : 'items'} of ${source} did not map:`;
}
