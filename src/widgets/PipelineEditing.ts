/**
 * The editing operations of a pipeline editor: each turns the pipeline into
 * a changed copy (see `model/edits.ts`) and writes its text through the
 * document model, as one undoable step. Problems (a connection that would
 * make a cycle, a file that cannot be a step) are told to the user.
 */
import { Clipboard, Notification } from '@jupyterlab/apputils';
import { DocumentRegistry } from '@jupyterlab/docregistry';

import { IEditorActions } from '../components/PipelineEditorView';
import { EnvironmentsModel } from '../model/EnvironmentsModel';
import { PipelineModel } from '../model/PipelineModel';
import { SelectionModel } from '../model/SelectionModel';
import {
  STEPS_MIME,
  copySteps,
  pasteSteps,
  readClipboard
} from '../model/clipboard';
import { checkConnection, describeConnectionProblem } from '../model/dag';
import {
  IPipelinePatch,
  IStepPatch,
  addConnection,
  addSteps,
  createStep,
  isStepFile,
  moveSteps,
  removeConnections,
  removeSteps,
  updatePipeline,
  updateStep
} from '../model/edits';
import { ListFolder } from '../model/FilePaletteModel';
import { DEFAULT_LAYOUT, computeLayout } from '../model/layout';
import {
  DEFAULT_NOTE_SIZE,
  addNote,
  moveNotes,
  removeNotes,
  resizeNote,
  setNoteText
} from '../model/notes';
import { IRect, findFreePlace, preferredPlace } from '../model/placement';
import {
  IPipelineJSON,
  Position,
  newUUID,
  serializePipeline
} from '../model/pipeline';
import { baseName, joinPath, relativePath } from '../model/paths';
import { IRunState } from '../model/runState';
import { textReplacement } from '../model/textDiff';

/** What the editor asks of the application. */
export interface IEditorServices {
  /** Open a file (server path) in JupyterLab. */
  openFile?: (path: string) => void;
  /** Let the user pick a step file; resolves with its server path. */
  pickFile?: (folder: string) => Promise<string | null>;
  /** Show a step's log. */
  showLog?: (runId: string, stepUuid: string) => void;
  /** Show the run history. */
  showRuns?: (pipelinePath: string) => void;
  /** Run the steps of a pipeline whose outputs are not up to date. */
  runOutdated?: (pipelinePath: string) => void;
  /** Show the project's environments (with `environment` selected). */
  showEnvironments?: (project: string, environment: string) => void;
  /** List a folder (server path), for the file palette. */
  listFolder?: ListFolder;
}

/** The part of the editor widget the operations work on. */
export interface IEditingHost {
  readonly model: PipelineModel;
  readonly selection: SelectionModel;
  readonly environments: EnvironmentsModel;
  readonly context: DocumentRegistry.Context;
  readonly editable: boolean;
  readonly path: string;
  readonly folder: string;
  readonly currentRun: IRunState | null;
  /** The visible part of the canvas, in canvas coordinates. */
  viewRect(): IRect | null;
  /** Where every node is drawn, by uuid, in canvas coordinates. */
  nodeRects(): Map<string, IRect>;
  /** Pan the view so that these steps are visible. */
  reveal(uuids: readonly string[]): void;
  fitView(afterChange?: boolean): void;
  dismissRun(): void;
  showLatestRun?(): void;
}

/** The text editing part of a shared text document. */
interface ISharedText {
  updateSource(start: number, end: number, value: string): void;
}

/** The undo part of a shared document. */
interface IUndoable {
  undo(): void;
  redo(): void;
  canUndo(): boolean;
  canRedo(): boolean;
  undoManager?: { stopCapturing(): void } | null;
}

/** Space between steps added together, and between pastes. */
const ADD_GAP = DEFAULT_LAYOUT.nodeHeight + DEFAULT_LAYOUT.nodeSeparation;
const PASTE_OFFSET = 40;

/** The editing operations of one editor. */
export class PipelineEditing {
  constructor(host: IEditingHost, services: IEditorServices) {
    this._host = host;
    this._services = services;
  }

  /**
   * Write a change of the pipeline through the document model. Returns
   * false (and says why) when the pipeline cannot be edited now.
   */
  write(change: (pipeline: IPipelineJSON) => IPipelineJSON): boolean {
    const pipeline = this._host.model.pipeline;
    if (!pipeline || !this._host.editable) {
      Notification.warning(
        'The pipeline cannot be changed while its file is not valid JSON: fix the text first.',
        { autoClose: 5000 }
      );
      return false;
    }
    const next = change(pipeline as IPipelineJSON);
    const model = this._host.context.model;
    const replacement = textReplacement(
      model.toString(),
      serializePipeline(next)
    );
    if (!replacement) {
      return true;
    }
    const undoable = this._undoable();
    // Each edit is its own undo step, however fast the next one follows.
    undoable?.undoManager?.stopCapturing();
    const shared = model.sharedModel as unknown as Partial<ISharedText>;
    if (typeof shared.updateSource === 'function') {
      // Only the part that changed: an open text view keeps its cursor.
      shared.updateSource(
        replacement.start,
        replacement.end,
        replacement.value
      );
    } else {
      model.fromString(serializePipeline(next));
    }
    model.dirty = true;
    undoable?.undoManager?.stopCapturing();
    return true;
  }

  /**
   * Add steps for files (server paths) at a position (default: a free place
   * beside the selection or in the middle of the view, then shown).
   */
  addFiles(paths: readonly string[], position?: Position): string[] {
    const files = paths.filter(isStepFile);
    const refused = paths.filter(path => !isStepFile(path));
    if (refused.length > 0) {
      Notification.warning(
        `${refused.map(baseName).join(', ')} cannot be a step: a step runs a notebook (.ipynb) or a script (.py, .sh, .R, .jl, .js).`,
        { autoClose: 6000 }
      );
    }
    if (files.length === 0) {
      return [];
    }
    const [x, y] = position ?? this._freePlace(files.length);
    const environment = this._host.environments.environments[0]?.uuid ?? '';
    const steps = files.map((path, index) =>
      createStep({
        uuid: newUUID(),
        filePath: relativePath(this._host.folder, path),
        position: [x, y + index * ADD_GAP],
        environment
      })
    );
    if (!this.write(pipeline => addSteps(pipeline, steps))) {
      return [];
    }
    const uuids = steps.map(step => step.uuid);
    this._host.selection.set(uuids);
    if (!position) {
      this._host.reveal(uuids);
    }
    return uuids;
  }

  /** Delete the selected steps, connections and notes. */
  deleteSelection(): void {
    const { steps, edges, notes } = this._host.selection;
    if (this._host.selection.isEmpty) {
      return;
    }
    const connections = edges
      .map(id => this._host.model.edges.find(edge => edge.id === id))
      .filter(edge => edge !== undefined);
    this.write(pipeline =>
      removeNotes(
        removeSteps(removeConnections(pipeline, connections), steps),
        notes
      )
    );
    this._host.selection.clear();
  }

  /** Select every step. */
  selectAll(): void {
    this._host.selection.set(
      this._host.model.steps.map(step => step.uuid),
      this._host.model.edges.map(edge => edge.id)
    );
  }

  /** Copy the selected steps to JupyterLab's clipboard. */
  copy(): number {
    const pipeline = this._host.model.pipeline;
    const uuids = this._host.selection.steps;
    if (!pipeline || uuids.length === 0) {
      return 0;
    }
    const clipboard = Clipboard.getInstance();
    clipboard.clear();
    clipboard.setData(STEPS_MIME, copySteps(pipeline as IPipelineJSON, uuids));
    this._pastes = 0;
    return uuids.length;
  }

  /** Copy, then delete, the selected steps. */
  cut(): void {
    if (this.copy() > 0) {
      this.write(pipeline => removeSteps(pipeline, this._host.selection.steps));
      this._host.selection.clear();
    }
  }

  /** Whether the clipboard holds steps. */
  canPaste(): boolean {
    return Clipboard.getInstance().hasData(STEPS_MIME);
  }

  /** Paste copied steps as new steps, shifted from the originals. */
  paste(): string[] {
    const clipboard = readClipboard(
      Clipboard.getInstance().getData(STEPS_MIME)
    );
    if (!clipboard || clipboard.steps.length === 0) {
      return [];
    }
    this._pastes++;
    const shift = PASTE_OFFSET * this._pastes;
    let pasted: string[] = [];
    const ok = this.write(pipeline => {
      const result = pasteSteps(pipeline, clipboard, {
        newUUID,
        offset: [shift, shift]
      });
      pasted = result.pasted;
      return result.pipeline;
    });
    if (ok) {
      this._host.selection.set(pasted);
    }
    return ok ? pasted : [];
  }

  /** Lay every step out again, left to right, and fit the view. */
  autoLayout(): void {
    const positions = computeLayout(
      this._host.model.steps,
      this._host.model.edges
    );
    if (this.write(pipeline => moveSteps(pipeline, positions))) {
      // The canvas draws the new positions before it fits them.
      this._host.fitView(true);
    }
  }

  /** Store new positions of steps and notes. */
  moveSteps(positions: Map<string, Position>): void {
    this.write(pipeline =>
      moveNotes(moveSteps(pipeline, positions), positions)
    );
  }

  /**
   * Add an empty note, opened for writing: at `position`, or at a free
   * place in the middle of the view. Returns its uuid.
   */
  addNote(position?: Position): string | null {
    const [width, height] = DEFAULT_NOTE_SIZE;
    const rects = this._host.nodeRects();
    const view = this._host.viewRect();
    const at =
      position ??
      findFreePlace(
        { width, height },
        preferredPlace({ width, height }, [], view),
        [...rects.values()],
        { view }
      );
    const uuid = newUUID();
    if (
      !this.write(pipeline =>
        addNote(pipeline, { uuid, text: '', position: at })
      )
    ) {
      return null;
    }
    this._editNote = uuid;
    this._host.selection.set([], [], [uuid]);
    this._host.reveal([uuid]);
    return uuid;
  }

  /** Where the canvas's context menu was last opened (canvas coordinates). */
  get contextPosition(): Position | null {
    return this._contextPosition;
  }

  /** The note just added (opened for writing when drawn). */
  get editNote(): string | null {
    return this._editNote;
  }

  /** Change a note's text. */
  setNoteText(uuid: string, text: string): void {
    this._editNote = null;
    this.write(pipeline => setNoteText(pipeline, uuid, text));
  }

  /** Change a note's size. */
  resizeNote(uuid: string, size: [number, number]): void {
    this.write(pipeline => resizeNote(pipeline, uuid, size));
  }

  /** Why `source` -> `target` cannot be connected, as a sentence; null if it can. */
  connectionProblem(source: string, target: string): string | null {
    const model = this._host.model;
    const problem = checkConnection(
      source,
      target,
      model.edges,
      new Set(model.steps.map(step => step.uuid))
    );
    if (!problem) {
      return null;
    }
    const title = (uuid: string) => `'${model.getStep(uuid)?.title ?? uuid}'`;
    return describeConnectionProblem(problem, source, target, title);
  }

  /** Connect two steps, unless that would make a cycle (then say so). */
  connect(source: string, target: string): boolean {
    const problem = this.connectionProblem(source, target);
    if (problem) {
      Notification.error(problem, { autoClose: 6000 });
      return false;
    }
    return this.write(pipeline => addConnection(pipeline, source, target));
  }

  /** Change a step. */
  updateStep(uuid: string, patch: IStepPatch): void {
    this.write(pipeline => updateStep(pipeline, uuid, patch));
  }

  /** Change the pipeline's own fields. */
  updatePipeline(patch: IPipelinePatch): void {
    this.write(pipeline => updatePipeline(pipeline, patch));
  }

  /** Let the user pick the file of a step. */
  async browseFile(uuid: string): Promise<void> {
    const path = await this._services.pickFile?.(this._host.folder);
    if (!path) {
      return;
    }
    if (!isStepFile(path)) {
      Notification.warning(
        `${baseName(path)} cannot be a step: choose a notebook or a script.`,
        { autoClose: 5000 }
      );
      return;
    }
    this.updateStep(uuid, { file_path: relativePath(this._host.folder, path) });
  }

  /** Open a step's file. */
  openStep(uuid: string): void {
    const step = this._host.model.getStep(uuid);
    if (!step?.filePath) {
      Notification.warning('This step has no file to open.', {
        autoClose: 4000
      });
      return;
    }
    this._services.openFile?.(joinPath(this._host.folder, step.filePath));
  }

  /** Undo the last change of the document. */
  undo(): void {
    const undoable = this._undoable();
    if (undoable?.canUndo()) {
      undoable.undo();
    }
  }

  /** Redo the last undone change. */
  redo(): void {
    const undoable = this._undoable();
    if (undoable?.canRedo()) {
      undoable.redo();
    }
  }

  /** What the editor view calls. */
  viewActions(): Omit<IEditorActions, 'refreshFiles'> {
    return {
      moveSteps: positions => this.moveSteps(positions),
      connect: (source, target) => void this.connect(source, target),
      canConnect: (source, target) =>
        this.connectionProblem(source, target) === null,
      dropFiles: (paths, position) => void this.addFiles(paths, position),
      addFile: path => void this.addFiles([path]),
      updateStep: (uuid, patch) => this.updateStep(uuid, patch),
      updatePipeline: patch => this.updatePipeline(patch),
      browseFile: uuid => void this.browseFile(uuid),
      openStep: uuid => this.openStep(uuid),
      showLog: (runId, stepUuid) => this._services.showLog?.(runId, stepUuid),
      showRuns: () => this._services.showRuns?.(this._host.path),
      runOutdated: () => this._services.runOutdated?.(this._host.path),
      dismissRun: () => this._host.dismissRun(),
      showLatestRun: () => this._host.showLatestRun?.(),
      refreshEnvironments: () => void this._host.environments.load(),
      showEnvironments: environment => {
        const project = this._host.environments.project;
        if (project !== null) {
          this._services.showEnvironments?.(project, environment);
        }
      },
      deleteSelection: () => this.deleteSelection(),
      setNoteText: (uuid, text) => this.setNoteText(uuid, text),
      resizeNote: (uuid, size) => this.resizeNote(uuid, size),
      contextMenuAt: position => {
        this._contextPosition = position;
      }
    };
  }

  /**
   * Top-left corner for `count` new steps stacked in a column: the free
   * place nearest to the right of the selection, or to the view's middle.
   */
  private _freePlace(count: number): Position {
    const size = {
      width: DEFAULT_LAYOUT.nodeWidth,
      height: count * ADD_GAP - DEFAULT_LAYOUT.nodeSeparation
    };
    const rects = this._host.nodeRects();
    const view = this._host.viewRect();
    const selected = this._host.selection.steps
      .map(uuid => rects.get(uuid))
      .filter(rect => rect !== undefined);
    const preferred = preferredPlace(size, selected, view);
    return findFreePlace(size, preferred, [...rects.values()], { view });
  }

  private _undoable(): IUndoable | null {
    const shared = this._host.context.model
      .sharedModel as unknown as Partial<IUndoable>;
    return typeof shared.undo === 'function' ? (shared as IUndoable) : null;
  }

  private _host: IEditingHost;
  private _services: IEditorServices;
  private _pastes = 0;
  private _editNote: string | null = null;
  private _contextPosition: Position | null = null;
}
