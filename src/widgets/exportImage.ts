/**
 * "Export as SVG/PNG": the pipeline graph drawn in the current theme's
 * colours, written next to the pipeline file (`<name>.svg` / `<name>.png`).
 */
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import { Contents } from '@jupyterlab/services';

import type { RunStatus } from '../api';
import { resolvePositions } from '../model/layout';
import { joinPath, stem } from '../model/paths';
import {
  DEFAULT_PALETTE,
  ISVGPalette,
  pipelineToSVG
} from '../model/svgExport';
import { PipelineEditor } from './PipelineEditor';
import { errorMessage } from '../model/errorMessage';

/** The image formats. */
export type ImageFormat = 'svg' | 'png';

/** The theme's colours, read from JupyterLab's CSS variables. */
export function themePalette(node: HTMLElement): ISVGPalette {
  const style = getComputedStyle(node);
  const read = (name: string, fallback: string) =>
    style.getPropertyValue(name).trim() || fallback;
  const fallback = DEFAULT_PALETTE;
  return {
    background: read('--jp-layout-color2', fallback.background),
    node: read('--jp-layout-color1', fallback.node),
    border: read('--jp-border-color1', fallback.border),
    text: read('--jp-ui-font-color1', fallback.text),
    mutedText: read('--jp-ui-font-color2', fallback.mutedText),
    edge: read('--jp-ui-font-color2', fallback.edge),
    status: {
      PENDING: read('--jp-layout-color4', fallback.status.PENDING!),
      STARTED: read('--jp-brand-color1', fallback.status.STARTED!),
      SUCCESS: read('--jp-success-color1', fallback.status.SUCCESS!),
      FAILURE: read('--jp-error-color1', fallback.status.FAILURE!),
      SKIPPED: read('--jp-layout-color3', fallback.status.SKIPPED!),
      ABORTED: read('--jp-warn-color1', fallback.status.ABORTED!)
    },
    fontFamily: read('--jp-ui-font-family', fallback.fontFamily)
  };
}

/** Render an SVG document to PNG (base64, without the data: prefix). */
export async function svgToPNG(
  svg: string,
  width: number,
  height: number,
  scale = 2
): Promise<string> {
  const url = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  const image = new Image();
  await new Promise<void>((resolve, reject) => {
    image.onload = () => resolve();
    image.onerror = () => reject(new Error('the SVG could not be drawn'));
    image.src = url;
  });
  const canvas = document.createElement('canvas');
  canvas.width = Math.ceil(width * scale);
  canvas.height = Math.ceil(height * scale);
  const context = canvas.getContext('2d');
  if (!context) {
    throw new Error('this browser cannot draw images');
  }
  context.scale(scale, scale);
  context.drawImage(image, 0, 0);
  return canvas.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
}

/** Write the editor's graph as an image next to the pipeline file. */
export async function exportPipelineImage(
  editor: PipelineEditor,
  format: ImageFormat,
  contents: Contents.IManager
): Promise<string | null> {
  const model = editor.model;
  const statuses = new Map<string, RunStatus>();
  const run = editor.currentRun;
  for (const uuid of run?.stepOrder ?? []) {
    statuses.set(uuid, run!.steps[uuid].status);
  }
  const { svg, width, height } = pipelineToSVG({
    steps: model.steps,
    edges: model.edges,
    positions: resolvePositions(model.steps, model.edges),
    statuses,
    palette: themePalette(editor.node)
  });
  const path = joinPath(editor.folder, `${stem(editor.path)}.${format}`);
  try {
    const exists = await contents
      .get(path, { content: false })
      .then(() => true)
      .catch(() => false);
    if (exists) {
      const answer = await showDialog({
        title: 'Replace the image?',
        body: `${path} exists already.`,
        buttons: [
          Dialog.cancelButton(),
          Dialog.warnButton({ label: 'Replace' })
        ]
      });
      if (!answer.button.accept) {
        return null;
      }
    }
    const model =
      format === 'svg'
        ? { type: 'file', format: 'text', content: svg }
        : {
            type: 'file',
            format: 'base64',
            content: await svgToPNG(svg, width, height)
          };
    await contents.save(path, model as Partial<Contents.IModel>);
  } catch (reason) {
    Notification.error(`Could not export ${path}: ${errorMessage(reason)}`, {
      autoClose: 8000
    });
    return null;
  }
  Notification.success(`Exported the pipeline as ${path}`, { autoClose: 4000 });
  return path;
}
