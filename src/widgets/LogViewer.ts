/**
 * A step's log in a main-area tab, following it while the step runs (the
 * server streams it until the step ends) and scrolled to its end unless the
 * user scrolled up.
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { IRunState, isEnded, statusLabel } from '../model/runState';
import { IOrchestLabAPI, IRunsModel } from '../tokens';

/** The content of a log tab. */
export class LogView extends Widget {
  constructor(options: LogView.IOptions) {
    super();
    this.addClass('orchest-lab-LogView');
    this.id = LogView.idFor(options.runId, options.stepUuid);
    this._options = options;
    this._status = document.createElement('div');
    this._status.className = 'orchest-lab-LogView-status';
    this._status.setAttribute('role', 'status');
    this._pre = document.createElement('pre');
    this._pre.className = 'orchest-lab-LogView-text';
    this.node.append(this._status, this._pre);
    this.node.dataset.runId = options.runId;
    this.node.dataset.stepUuid = options.stepUuid;
    this.node.tabIndex = -1;
    options.runs.changed.connect(this._onRunChanged, this);
    this._showStatus(options.runs.get(options.runId));
    void this._follow();
  }

  /** The log text received so far. */
  get text(): string {
    return this._pre.textContent ?? '';
  }

  dispose(): void {
    this._abort.abort();
    this._options.runs.changed.disconnect(this._onRunChanged, this);
    super.dispose();
  }

  private async _follow(): Promise<void> {
    const { api, runId, stepUuid } = this._options;
    this.node.dataset.following = 'true';
    try {
      await api.runs.follow(runId, stepUuid, text => this._append(text), {
        signal: this._abort.signal
      });
    } catch (reason) {
      if (!this._abort.signal.aborted) {
        this._append(
          `\n[could not read the log: ${reason instanceof Error ? reason.message : String(reason)}]\n`
        );
      }
    }
    delete this.node.dataset.following;
    this.node.dataset.complete = 'true';
    this._showStatus(this._options.runs.get(runId));
  }

  private _append(text: string): void {
    const pre = this._pre;
    const atEnd =
      this.node.scrollTop + this.node.clientHeight >=
      this.node.scrollHeight - 4;
    pre.append(document.createTextNode(text));
    if (atEnd) {
      this.node.scrollTop = this.node.scrollHeight;
    }
  }

  private _onRunChanged(_: IRunsModel, run: IRunState): void {
    if (run.id === this._options.runId) {
      this._showStatus(run);
    }
  }

  private _showStatus(run: IRunState | undefined): void {
    const step = run?.steps[this._options.stepUuid];
    const title = step?.title || this._options.title;
    let text = title;
    if (step) {
      text += ` · ${statusLabel(step.status)}`;
      if (step.failure) {
        text += ` · ${step.failure.name}: ${step.failure.message}`;
      } else if (step.reason) {
        text += ` · ${step.reason}`;
      }
      this.node.dataset.status = step.status;
      if (!isEnded(step.status) && this.node.dataset.complete) {
        text += ' (log complete so far)';
      }
    }
    this._status.textContent = text;
  }

  private _options: LogView.IOptions;
  private _status: HTMLDivElement;
  private _pre: HTMLPreElement;
  private _abort = new AbortController();
}

export namespace LogView {
  export interface IOptions {
    api: IOrchestLabAPI;
    runs: IRunsModel;
    runId: string;
    stepUuid: string;
    /** Shown until the run's step is known. */
    title: string;
  }

  /** The id of the log tab of a step of a run. */
  export function idFor(runId: string, stepUuid: string): string {
    return `orchest-lab-log-${runId}-${stepUuid}`;
  }

  /** A main-area tab around a log view. */
  export function createWidget(options: IOptions): MainAreaWidget<LogView> {
    const content = new LogView(options);
    const widget = new MainAreaWidget({ content });
    widget.id = `${content.id}-tab`;
    widget.title.label = `Log: ${options.title}`;
    widget.title.caption = `Log of '${options.title}' in run ${options.runId}`;
    widget.title.closable = true;
    widget.addClass('orchest-lab-LogViewer');
    return widget;
  }
}
