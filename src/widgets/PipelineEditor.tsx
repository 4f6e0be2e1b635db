/**
 * The content widget of a pipeline document: ties a document context (the
 * text model of the `.orchest` file) to a {@link PipelineModel} and a
 * {@link ValidationModel}, and renders the editor view.
 */
import { DocumentRegistry } from '@jupyterlab/docregistry';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import { ISignal, Signal } from '@lumino/signaling';
import React from 'react';

import { OrchestLabAPI } from '../api';
import { GraphRequest } from '../components/PipelineGraph';
import { PipelineEditorView } from '../components/PipelineEditorView';
import { PipelineModel } from '../model/PipelineModel';
import { ValidationModel } from '../model/ValidationModel';
import { parseErrorIssue } from '../model/issues';

/** User settings that affect open editors. */
export interface IPipelineEditorSettings {
  /** Validate while the text changes (debounced), not only on open and save. */
  validateOnChange: boolean;
  /** Debounce delay of validation while editing, in milliseconds. */
  validationDelay: number;
}

/** Settings used when the settings registry is not available. */
export const DEFAULT_EDITOR_SETTINGS: IPipelineEditorSettings = {
  validateOnChange: true,
  validationDelay: 300
};

/** The pipeline editor. */
export class PipelineEditor extends ReactWidget {
  constructor(options: PipelineEditor.IOptions) {
    super();
    this.addClass('orchest-lab-PipelineEditor');
    this._context = options.context;
    this._settings = { ...DEFAULT_EDITOR_SETTINGS, ...options.settings };
    this._openLocation = options.openLocation ?? null;
    this._showPath();
    this._context.pathChanged.connect(this._showPath, this);
    this.model = new PipelineModel();
    this.validation = new ValidationModel({
      validate: (source, signal) =>
        options.api.pipelines.validate(source, signal),
      delay: this._settings.validationDelay,
      localIssues: () =>
        this.model.parseError ? [parseErrorIssue(this.model.parseError)] : []
    });
    void this._context.ready.then(() => this._onReady());
  }

  /** The parsed pipeline. */
  readonly model: PipelineModel;

  /** The validation state of the pipeline. */
  readonly validation: ValidationModel;

  /** The document context (path, text model, save/revert). */
  get context(): DocumentRegistry.Context {
    return this._context;
  }

  /** Requests to the canvas (fit view, focus a step). */
  get graphRequests(): ISignal<this, GraphRequest> {
    return this._graphRequests;
  }

  /** Fit the whole pipeline into the view. */
  fitView(): void {
    this._graphRequests.emit({ kind: 'fit' });
  }

  /** Center the view on a step. */
  focusStep(uuid: string): void {
    this._graphRequests.emit({ kind: 'focus', uuid });
  }

  /** Validate the current text now. */
  validate(): Promise<void> {
    return this.validation.validate(this._source());
  }

  /** Apply changed user settings. */
  updateSettings(settings: Partial<IPipelineEditorSettings>): void {
    this._settings = { ...this._settings, ...settings };
    this.validation.delay = this._settings.validationDelay;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.validation.dispose();
    Signal.clearData(this);
    super.dispose();
  }

  protected render(): JSX.Element {
    return (
      <PipelineEditorView
        model={this.model}
        validation={this.validation}
        requests={this._graphRequests}
        onFocusStep={uuid => this.focusStep(uuid)}
        onOpenLocation={(line, column) =>
          this._openLocation?.(this._context.path, line, column)
        }
      />
    );
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
  }

  private _onContentChanged(): void {
    this.model.fromString(this._context.model.toString());
    // Without validate-on-change, a revert (the model is then clean) still
    // revalidates: the text now matches the file on disk.
    if (this._settings.validateOnChange || !this._context.model.dirty) {
      this.validation.schedule(this._source());
    }
  }

  private _onSaveState(_: unknown, state: DocumentRegistry.SaveState): void {
    if (state === 'completed' && !this._settings.validateOnChange) {
      this.validation.schedule(this._source());
    }
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
  private _settings: IPipelineEditorSettings;
  private _openLocation: PipelineEditor.OpenLocation | null;
  private _graphRequests = new Signal<this, GraphRequest>(this);
  private _wasShown = false;
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
    api: OrchestLabAPI;
    settings?: Partial<IPipelineEditorSettings>;
    openLocation?: OpenLocation;
  }
}
