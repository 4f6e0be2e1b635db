/**
 * Icons: the pipeline file icon and the icon of each kind of step file.
 */
import {
  LabIcon,
  fileIcon,
  juliaIcon,
  notebookIcon,
  pythonIcon,
  rKernelIcon,
  terminalIcon
} from '@jupyterlab/ui-components';

import autoLayoutSvg from '../style/icons/auto-layout.svg';
import fitViewSvg from '../style/icons/fit-view.svg';
import noteSvg from '../style/icons/note.svg';
import pipelineSvg from '../style/icons/pipeline.svg';
import runSelectedSvg from '../style/icons/run-selected.svg';

/** The icon of `.orchest` files: a small DAG. */
export const pipelineIcon = new LabIcon({
  name: 'orchest-lab:pipeline',
  svgstr: pipelineSvg
});

/** "Fit the whole pipeline into view". */
export const fitViewIcon = new LabIcon({
  name: 'orchest-lab:fit-view',
  svgstr: fitViewSvg
});

/** "Arrange the steps automatically". */
export const autoLayoutIcon = new LabIcon({
  name: 'orchest-lab:auto-layout',
  svgstr: autoLayoutSvg
});

/** "Add a note". */
export const noteIcon = new LabIcon({
  name: 'orchest-lab:note',
  svgstr: noteSvg
});

/** "Run the selected steps". */
export const runSelectedIcon = new LabIcon({
  name: 'orchest-lab:run-selected',
  svgstr: runSelectedSvg
});

/** What kind of file a step runs, for its icon and label. */
export interface IStepFileKind {
  icon: LabIcon;
  label: string;
}

const KINDS: Record<string, IStepFileKind> = {
  '.ipynb': { icon: notebookIcon, label: 'Notebook' },
  '.py': { icon: pythonIcon, label: 'Python script' },
  '.r': { icon: rKernelIcon, label: 'R script' },
  '.sh': { icon: terminalIcon, label: 'Shell script' },
  '.jl': { icon: juliaIcon, label: 'Julia script' },
  '.js': { icon: fileIcon, label: 'JavaScript file' }
};

/** The icon and label of a step's file, from its extension. */
export function stepFileKind(filePath: string): IStepFileKind {
  const base = filePath.split('/').pop() ?? '';
  const dot = base.lastIndexOf('.');
  const extension = dot > 0 ? base.slice(dot).toLowerCase() : '';
  return (
    KINDS[extension] ?? { icon: fileIcon, label: filePath ? 'File' : 'No file' }
  );
}
