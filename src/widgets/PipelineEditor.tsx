/**
 * The content widget of a pipeline document: ties a document context (the
 * text model of the `.orchest` file) to the models (pipeline, validation,
 * selection, environments, the runs store) and renders the editor view.
 * Every change to the graph is written through the document's text model
 * (see {@link PipelineEditing}), so dirty state, save, revert and undo work
 * as for any JupyterLab document.
 */
import { DocumentRegistry } from '@jupyterlab/docregistry';
import { Contents } from '@jupyterlab/services';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import { ISignal, Signal } from '@lumino/signaling';
import React from 'react';

import { showDataPreview } from '../components/DataPreview';
import {
  IEditorActions,
  PipelineEditorView
} from '../components/PipelineEditorView';
import { DataOutputsModel } from '../model/DataOutputsModel';
import { EditorLayout, browserStorage, widthBand } from '../model/EditorLayout';
import { EnvironmentsModel } from '../model/EnvironmentsModel';
import { FilePaletteModel } from '../model/FilePaletteModel';
import { OutputsFreshness, outdatedBy } from '../model/OutputsFreshness';
import { PipelineModel } from '../model/PipelineModel';
import { SelectionModel } from '../model/SelectionModel';
import { ValidationModel } from '../model/ValidationModel';
import { parseErrorIssue } from '../model/issues';
import { IRect } from '../model/placement';
import { folderOf } from '../model/paths';
import { IRunState, isActive } from '../model/runState';
import { ShownRun } from '../model/ShownRun';
import { IOrchestLabAPI, IRunsModel } from '../tokens';
import {
  DEFAULT_EDITOR_SETTINGS,
  IPipelineEditorSettings
} from '../model/editorSettings';
import { IEditorServices, PipelineEditing } from './PipelineEditing';
import { CanvasView } from './CanvasView';

export class PipelineEditor extends ReactWidget {
  constructor(options: PipelineEditor.IOptions) {
    super();
    this.addClass('orchest-lab-PipelineEditor');
    this._context = options.context;
    this._api = options.api;
    this._settings = { ...DEFAULT_EDITOR_SETTINGS, ...options.settings };
    this._openLocation = options.openLocation ?? null;
    this.runs = options.runs ?? null;
    this._shownRun = this.runs
      ? new ShownRun(this.runs, () => this.path)
      : null;
    this._showPath();
    this._context.pathChanged.connect(this._onPathChanged, this);
    this.model = new PipelineModel();
    this.selection = new SelectionModel();
    this.environments = new EnvironmentsModel(project =>
      options.api.environments.list(project)
    );
    this.validation = new ValidationModel({
      validate: (source, signal) =>
        options.api.pipelines.validate(source, signal),
      delay: this._settings.validationDelay,
      localIssues: () =>
        this.model.parseError ? [parseErrorIssue(this.model.parseError)] : []
    });
    this.dataOutputs = new DataOutputsModel({
      source: options.api.data,
      path: () => this.path
    });
    this.viewLayout = new EditorLayout(browserStorage());
    this.viewLayout.changed.connect(() => {
      this._layoutChanged.emit();
      this._emitState();
    }, this);
    this.palette = new FilePaletteModel(options.services?.listFolder ?? null);
    this.freshness = new OutputsFreshness({
      plan: request => options.api.pipelines.plan(request),
      path: this.path
    });
    this.editing = new PipelineEditing(this, options.services ?? {});
    this._actions = {
      ...this.editing.viewActions(),
      refreshFiles: () => void this.palette.load(this._project ?? this.folder)
    };
    this.model.changed.connect(this._onModelChanged, this);
    this.selection.changed.connect(this._emitState, this);
    this.runs?.changed.connect(this._onRunChanged, this);
    this._shownRun?.changed.connect(this._onNodeStateChanged, this);
    this.freshness.changed.connect(this._onNodeStateChanged, this);
    this._contents = options.contents ?? null;
    this._contents?.fileChanged.connect(this._onFileChanged, this);
    void this._context.ready.then(() => this._onReady());
  }

  /** The parsed pipeline. */
  readonly model: PipelineModel;

  /** The validation state of the pipeline. */
  readonly validation: ValidationModel;

  /** The selected steps and connections. */
  readonly selection: SelectionModel;

  /** The environments of the pipeline's project. */
  readonly environments: EnvironmentsModel;

  /** What each step passed on (connection labels), following runs. */
  readonly dataOutputs: DataOutputsModel;

  /** The runs of every pipeline (null when runs are not available). */
  readonly runs: IRunsModel | null;

  /** The remembered layout (panel width, minimap), shared by editors. */
  readonly viewLayout: EditorLayout;

  /** The notebooks and scripts of the pipeline's project. */
  readonly palette: FilePaletteModel;
  /** Whether each step's outputs are up to date (the plan's fingerprints). */
  readonly freshness: OutputsFreshness;

  /** The editing operations (they write the document). */
  readonly editing: PipelineEditing;

  /** The document context (path, text model, save/revert). */
  get context(): DocumentRegistry.Context {
    return this._context;
  }

  /** The pipeline file, relative to the server root. */
  get path(): string {
    return this._context.localPath;
  }

  /** The folder of the pipeline file ('' at the root). */
  get folder(): string {
    return folderOf(this.path);
  }

  /**
   * Emitted when something commands depend on changes: the selection, the
   * pipeline, the latest run.
   */
  get stateChanged(): ISignal<this, void> {
    return this._stateChanged;
  }

  /**
   * The run whose statuses the editor shows: a past run the user chose in
   * the run history, else the pipeline's latest interactive run.
   */
  get currentRun(): IRunState | null {
    return this._shownRun?.current ?? null;
  }

  /**
   * Show the statuses (and logs) of one run of this pipeline on the canvas,
   * until {@link showLatestRun} or a new run starts.
   */
  async showRun(runId: string): Promise<void> {
    await this._shownRun?.show(runId);
  }

  /** Go back to the statuses of the latest run. */
  showLatestRun(): void {
    this._shownRun?.showLatest();
  }

  /** Whether the pipeline can be edited now (its JSON is valid). */
  get editable(): boolean {
    return this.model.pipeline !== null && this.model.parseError === null;
  }

  /** The visible part of the canvas, in canvas coordinates. */
  viewRect(): IRect | null {
    return this._canvas.visibleRect();
  }

  /** Where every node is drawn, by uuid, in canvas coordinates. */
  nodeRects(): Map<string, IRect> {
    return this._canvas.nodeRects();
  }

  /** Pan the view so that these steps are visible (when they are not). */
  reveal(uuids: readonly string[]): void {
    this._canvas.reveal(uuids);
  }

  /** Fit the whole pipeline into the view. */
  fitView(afterChange = false): void {
    this._canvas.fit(afterChange);
  }

  /** Center the view on a step (once the canvas is up). */
  focusStep(uuid: string): void {
    this._canvas.focus(uuid);
  }

  /** Select a step and bring it into view, once the pipeline is loaded. */
  async revealStep(uuid: string): Promise<void> {
    await this._context.ready;
    if (this.isDisposed || !this.model.getStep(uuid)) {
      return;
    }
    this.selection.set([uuid]);
    this.focusStep(uuid);
  }

  /** Validate the current text now. */
  validate(): Promise<void> {
    return this.validation.validate(this._source());
  }

  /** Stop showing the statuses of the current run (until the next one). */
  dismissRun(): void {
    this._shownRun?.dismiss();
  }

  /** Show or hide the properties panel (remembered for every editor). */
  toggleProperties(show?: boolean): void {
    this.viewLayout.update({ propertiesShown: show ?? !this.propertiesShown });
  }

  /** Whether the properties panel is shown (see EditorLayout). */
  get propertiesShown(): boolean {
    return this.viewLayout.propertiesShown(
      this._settings.showProperties,
      this._width
    );
  }

  /** Whether the file palette is shown (see EditorLayout). */
  get paletteShown(): boolean {
    return this.viewLayout.paletteShown(this._width);
  }

  /** Apply changed user settings. */
  updateSettings(settings: Partial<IPipelineEditorSettings>): void {
    if (
      settings.showProperties !== undefined &&
      settings.showProperties !== this._settings.showProperties
    ) {
      // A new setting overrides the last choice made with the mouse.
      this.viewLayout.update({ propertiesShown: null });
    }
    this._settings = { ...this._settings, ...settings };
    this.validation.delay = this._settings.validationDelay;
    this._layoutChanged.emit();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.validation.dispose();
    this.freshness.dispose();
    this._contents?.fileChanged.disconnect(this._onFileChanged, this);
    Signal.clearData(this);
    Signal.clearData(this._canvas);
    Signal.clearData(this.selection);
    Signal.clearData(this.environments);
    super.dispose();
  }

  protected render(): JSX.Element {
    const actions = this._actions;
    return (
      <PipelineEditorView
        model={this.model}
        validation={this.validation}
        selection={this.selection}
        environments={this.environments}
        run={() => this.currentRun}
        isPastRun={() => !!this._shownRun?.past}
        runChanged={this._runChanged}
        dataOutputs={this.dataOutputs}
        onOpenOutput={this._openOutput}
        freshness={this.freshness}
        showProperties={() => this.propertiesShown}
        onShowProperties={shown => this.toggleProperties(shown)}
        layout={this.viewLayout}
        editNote={() => this.editing.editNote}
        palette={this.palette}
        paletteShown={() => this.paletteShown}
        layoutChanged={this._layoutChanged}
        requests={this._canvas.requests}
        actions={actions}
        onFocusStep={uuid => this.focusStep(uuid)}
        onOpenLocation={(line, column) =>
          this._openLocation?.(this._context.path, line, column)
        }
        onFlowInit={flow => this._canvas.attach(flow)}
      />
    );
  }

  protected onActivateRequest(msg: Message): void {
    super.onActivateRequest(msg);
    // The keyboard goes to the canvas, where the editor's shortcuts apply.
    const canvas = this.node.querySelector<HTMLElement>(
      '.orchest-lab-PipelineGraph'
    );
    (canvas ?? this.node).focus({ preventScroll: true });
  }

  protected onResize(msg: Widget.ResizeMessage): void {
    super.onResize(msg);
    const width = msg.width >= 0 ? msg.width : this.node.offsetWidth;
    const changed = widthBand(width) !== widthBand(this._width);
    this._width = width;
    if (changed) {
      // Panels left to the width open or close.
      this._layoutChanged.emit();
      this._emitState();
    }
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    // A document restored in a background tab was laid out at size zero.
    if (!this._wasShown) {
      this._wasShown = true;
      this.fitView();
    }
  }

  private _onReady(): void {
    if (this.isDisposed) {
      return;
    }
    this.model.fromString(this._context.model.toString());
    this._context.model.contentChanged.connect(this._onContentChanged, this);
    this._context.saveState.connect(this._onSaveState, this);
    void this.validate();
    void this._loadProject();
    void this._shownRun?.load();
    void this.dataOutputs.refresh();
    void this.freshness.refresh();
  }

  /** Show a preview of what a step passes on. */
  previewOutput(step: string): void {
    const title = this.model.getStep(step)?.title ?? step;
    void showDataPreview(title, () => this._api.data.preview(this.path, step));
  }

  /** Find the pipeline's project, then its environments. */
  private async _loadProject(): Promise<void> {
    let project = this.folder;
    try {
      const found = (await this._api.pipelines.list()).find(
        pipeline => pipeline.path === this.path
      );
      if (found) {
        project = found.project;
      }
    } catch (reason) {
      console.warn('orchest-lab: could not list pipelines', reason);
    }
    if (!this.isDisposed) {
      this._project = project;
      void this.palette.load(project);
      await this.environments.load(project);
    }
  }

  private _onContentChanged(): void {
    this.model.fromString(this._context.model.toString());
    // Without validate-on-change, a revert (the model is then clean) still
    // revalidates: the text now matches the file on disk.
    if (this._settings.validateOnChange || !this._context.model.dirty) {
      this.validation.schedule(this._source());
    }
  }

  private _onModelChanged(): void {
    const steps = new Set(this.model.steps.map(step => step.uuid));
    const edges = new Set(this.model.edges.map(edge => edge.id));
    const notes = new Set(this.model.notes.map(note => note.uuid));
    this.selection.retain(steps, edges, notes);
    this._emitState();
  }

  private _onRunChanged(_: IRunsModel, run: IRunState): void {
    if (this._shownRun?.noteRun(run)) {
      this.dataOutputs.noteRun(run);
      if (!isActive(run)) {
        this.freshness.schedule();
      }
    }
  }

  /** The statuses or freshness drawn on the nodes changed. */
  private _onNodeStateChanged(): void {
    this._runChanged.emit();
    this._emitState();
  }

  /** A saved step file (or anything it reads) may change the fingerprints. */
  private _onFileChanged(_: unknown, change: Contents.IChangedArgs): void {
    const { labels, plan } = outdatedBy(
      {
        type: change.type,
        oldPath: change.oldValue?.path,
        newPath: change.newValue?.path
      },
      this.path,
      this.folder
    );
    if (labels) {
      void this.dataOutputs.refresh();
    }
    if (plan) {
      this.freshness.schedule();
    }
  }

  private _onSaveState(_: unknown, state: DocumentRegistry.SaveState): void {
    if (state === 'completed') {
      void this.dataOutputs.refresh(); // a changed pipeline may outdate outputs
    }
    if (state === 'completed' && !this._settings.validateOnChange) {
      this.validation.schedule(this._source());
    }
  }

  private _onPathChanged(): void {
    this._showPath();
    this.freshness.path = this.path;
    this._runChanged.emit();
    this._emitState();
  }

  private _emitState(): void {
    this._stateChanged.emit();
  }

  /** Expose the document's path on the DOM (for styling and tests). */
  private _showPath(): void {
    this.node.dataset.path = this._context.localPath;
  }

  /** What the server validates: the unsaved text, in the file's project. */
  private _source(): { path: string; content: string } {
    return {
      path: this._context.localPath,
      content: this._context.model.toString()
    };
  }

  private _context: DocumentRegistry.Context;
  private _api: IOrchestLabAPI;
  private _contents: Contents.IManager | null;
  private _settings: IPipelineEditorSettings;
  private _openLocation: PipelineEditor.OpenLocation | null;
  private _actions: IEditorActions;
  private _canvas = new CanvasView(this.node);
  private _shownRun: ShownRun | null;
  private _stateChanged = new Signal<this, void>(this);
  private _runChanged = new Signal<this, void>(this);
  private _layoutChanged = new Signal<this, void>(this);
  private _wasShown = false;
  // One function for the editor's life: nodes are rebuilt when it changes.
  private _openOutput = (step: string): void => this.previewOutput(step);
  private _project: string | null = null;
  private _width = 0;
}

export namespace PipelineEditor {
  /** Opens a file's text at a line and column (1-based). */
  export type OpenLocation = (
    path: string,
    line: number,
    column: number
  ) => void;

  export interface IOptions {
    context: DocumentRegistry.Context;
    api: IOrchestLabAPI;
    runs?: IRunsModel | null;
    settings?: Partial<IPipelineEditorSettings>;
    openLocation?: OpenLocation;
    /** The contents manager: saved files refresh the outputs' freshness. */
    contents?: Contents.IManager;
    /** What the editor asks of the application (files, logs, runs). */
    services?: IEditorServices;
  }
}
