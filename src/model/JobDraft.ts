/**
 * What the "Create Job" dialog holds while the user fills it in: the fields,
 * their errors (the user's, found here, and the server's, placed at the
 * field an issue's pointer names), the combinations of the grid with those
 * kept, and the preview of the schedule's next times, asked of the server
 * as the user types. Submitting keeps everything entered when it fails.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { APIError } from '../api/client';
import type { IJob, IJobRequest } from '../api/jobTypes';
import type { IRunParameters } from '../api/types';
import { errorMessage } from './errorMessage';
import {
  IEnvRow,
  IGridAxis,
  IParameterAxis,
  ScheduleKind,
  buildGrid,
  buildSchedule,
  browserTimeZone,
  combinationKey,
  combinations,
  countCombinations,
  defaultJobName,
  envVariables,
  fieldOfPointer,
  formatValueList,
  parameterAxes,
  parseRetention,
  parseValueList
} from './jobForm';
import { isJSONObject } from './pipeline';
import {
  ISchedulePreview,
  SchedulePreview,
  SchedulePreviewSource
} from './SchedulePreview';

export type { ISchedulePreview } from './SchedulePreview';

/** The most combinations listed one by one (more are counted only). */
export const MAX_LISTED_COMBINATIONS = 2000;

/** The combinations of the grid, and those kept. */
export interface ICombinationList {
  /** Every combination (empty when there are too many to list). */
  all: IRunParameters[];
  /** How many the grid makes. */
  count: number;
  /** How many are kept (checked). */
  kept: number;
  /** More than {@link MAX_LISTED_COMBINATIONS}: not listed. */
  tooMany: boolean;
}

/** The fields of the dialog that are text. */
export type TextField =
  | 'name'
  | 'at'
  | 'cron'
  | 'timezone'
  | 'maxRetained'
  | 'webhookUrl'
  | 'webhookSecret';

/** The state of a job being made. */
export class JobDraft {
  constructor(options: JobDraft.IOptions) {
    this._options = options;
    this._preview = new SchedulePreview(options.preview, options.previewDelay);
    this._preview.changed.connect(() => this._changed.emit());
    this.pipelinePath = options.pipelinePath;
    const pipeline = options.pipeline;
    const name =
      isJSONObject(pipeline) && typeof pipeline.name === 'string'
        ? pipeline.name
        : '';
    this.axes = parameterAxes(pipeline);
    for (const axis of this.axes) {
      this._values.set(axis.key, formatValueList([axis.current]));
    }
    const now = options.now ?? new Date();
    this._text = {
      name: defaultJobName(name, now),
      at: '',
      cron: '0 3 * * *',
      timezone: options.timezone ?? browserTimeZone(),
      maxRetained: '',
      webhookUrl: '',
      webhookSecret: ''
    };
  }

  /** The pipeline file, relative to the server root. */
  readonly pipelinePath: string;

  /** The parameters values can be listed for. */
  readonly axes: readonly IParameterAxis[];

  /** Emitted whenever anything of the draft changed. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** A text field. */
  text(field: TextField): string {
    return this._text[field];
  }

  /** When the job runs. */
  get scheduleKind(): ScheduleKind {
    return this._scheduleKind;
  }

  /** The environment variables' rows. */
  get envRows(): readonly IEnvRow[] {
    return this._envRows;
  }

  /** The values typed for a parameter. */
  values(key: string): string {
    return this._values.get(key) ?? '';
  }

  /** The preview of the schedule's next times. */
  get preview(): ISchedulePreview {
    return this._preview.state;
  }

  /** Whether the request is being sent. */
  get submitting(): boolean {
    return this._submitting;
  }

  /** The message of an error that names no field, or null. */
  get formError(): string | null {
    return this._errors.get('form') ?? null;
  }

  /**
   * The error to show at a field: what is wrong with what was typed, else
   * what the server said of it (see {@link fieldOfPointer} for the ids).
   */
  error(field: string): string | null {
    const local = this._localError(field);
    if (local) {
      return local;
    }
    return this._errors.get(field) ?? null;
  }

  /** The fields that have an error of the server. */
  get serverErrorFields(): string[] {
    return [...this._errors.keys()];
  }

  /** The parameters with their parsed values; null when one does not parse. */
  gridAxes(): IGridAxis[] | null {
    const axes: IGridAxis[] = [];
    for (const axis of this.axes) {
      const parsed = parseValueList(this.values(axis.key));
      if (!parsed.ok) {
        return null;
      }
      axes.push({ axis, values: parsed.values });
    }
    return axes;
  }

  /** The combinations of the grid, and how many are kept. */
  combinations(): ICombinationList {
    const axes = this.gridAxes();
    if (axes === null) {
      return { all: [], count: 0, kept: 0, tooMany: false };
    }
    const count = countCombinations(axes);
    if (count > MAX_LISTED_COMBINATIONS) {
      return { all: [], count, kept: count, tooMany: true };
    }
    const all = combinations(axes);
    const kept = all.filter(c => this.isKept(c)).length;
    return { all, count, kept, tooMany: false };
  }

  /** Whether a combination is kept (checked). */
  isKept(combination: IRunParameters): boolean {
    return !this._excluded.has(combinationKey(combination));
  }

  // --- changes -----------------------------------------------------------

  setText(field: TextField, value: string): void {
    this._text[field] = value;
    this._clear(FIELD_OF_TEXT[field]);
    if (field === 'at' || field === 'cron' || field === 'timezone') {
      this._schedulePreview();
    }
    this._changed.emit();
  }

  setScheduleKind(kind: ScheduleKind): void {
    this._scheduleKind = kind;
    for (const field of ['schedule.cron', 'schedule.timezone', 'schedule.at']) {
      this._clear(field);
    }
    this._schedulePreview();
    this._changed.emit();
  }

  setValues(key: string, text: string): void {
    this._values.set(key, text);
    this._clear(`param:${key}`);
    this._clear('parameters');
    this._clear('combinations');
    this._changed.emit();
  }

  /** Keep (check) or leave out a combination. */
  setKept(combination: IRunParameters, kept: boolean): void {
    const key = combinationKey(combination);
    if (kept) {
      this._excluded.delete(key);
    } else {
      this._excluded.add(key);
    }
    this._clear('combinations');
    this._changed.emit();
  }

  /** Keep every combination, or none. */
  setAllKept(kept: boolean): void {
    this._excluded.clear();
    if (!kept) {
      for (const combination of this.combinations().all) {
        this._excluded.add(combinationKey(combination));
      }
    }
    this._clear('combinations');
    this._changed.emit();
  }

  addEnvRow(): void {
    this._envRows = [...this._envRows, { name: '', value: '' }];
    this._changed.emit();
  }

  setEnvRow(index: number, row: IEnvRow): void {
    this._envRows = this._envRows.map((r, i) => (i === index ? row : r));
    this._clear(`env:${index}`);
    this._clear('env');
    this._changed.emit();
  }

  removeEnvRow(index: number): void {
    this._envRows = this._envRows.filter((_, i) => i !== index);
    // Errors of rows are by position: those after the removed one move.
    for (const field of [...this._errors.keys()]) {
      if (field.startsWith('env:')) {
        this._errors.delete(field);
      }
    }
    this._changed.emit();
  }

  // --- the request ---------------------------------------------------------

  /**
   * The request to send, or null when a field is wrong (each says why,
   * through {@link error}).
   */
  request(): IJobRequest | null {
    this._checked = true;
    const name = this._text.name.trim();
    const schedule = this._schedule();
    const axes = this.gridAxes();
    const list = this.combinations();
    const env = envVariables(this._envRows);
    const retention = parseRetention(this._text.maxRetained);
    const url = this._text.webhookUrl.trim();
    if (
      !name ||
      !schedule.ok ||
      axes === null ||
      list.kept === 0 ||
      !env.ok ||
      !retention.ok ||
      (!url && this._text.webhookSecret)
    ) {
      this._changed.emit();
      return null;
    }
    const request: IJobRequest = {
      name,
      pipeline_path: this.pipelinePath,
      schedule: schedule.schedule,
      parameters: buildGrid(axes),
      env_variables: env.variables,
      max_retained_runs: retention.value,
      webhook: url
        ? {
            url,
            ...(this._text.webhookSecret
              ? { secret: this._text.webhookSecret }
              : {})
          }
        : null
    };
    if (!list.tooMany) {
      request.combinations = list.all.filter(c => this.isKept(c));
    }
    return request;
  }

  /**
   * Send the request. Resolves with the job, or null when a field is wrong
   * or the server refused (the errors are then at their fields, and every
   * field keeps what was entered).
   */
  async submit(): Promise<IJob | null> {
    if (this._submitting) {
      return null;
    }
    const request = this.request();
    if (request === null) {
      return null;
    }
    this._submitting = true;
    this._errors.clear();
    this._changed.emit();
    try {
      return await this._options.create(request);
    } catch (reason) {
      this._placeErrors(reason, request);
      return null;
    } finally {
      this._submitting = false;
      this._changed.emit();
    }
  }

  /** Stop asking for previews. */
  dispose(): void {
    this._preview.dispose();
    Signal.clearData(this);
  }

  // --- private -------------------------------------------------------------

  private _schedule(): ReturnType<typeof buildSchedule> {
    return buildSchedule(this._scheduleKind, {
      at: this._text.at,
      cron: this._text.cron,
      timezone: this._text.timezone
    });
  }

  /** What is wrong with what was typed (after a first submit for some). */
  private _localError(field: string): string | null {
    if (field.startsWith('param:')) {
      const parsed = parseValueList(this.values(field.slice('param:'.length)));
      return parsed.ok ? null : parsed.error;
    }
    if (field === 'max_retained_runs') {
      const retention = parseRetention(this._text.maxRetained);
      return retention.ok ? null : retention.error;
    }
    if (field.startsWith('env:')) {
      const env = envVariables(this._envRows);
      return !env.ok && `env:${env.row}` === field ? env.error : null;
    }
    if (!this._checked) {
      return null;
    }
    switch (field) {
      case 'name':
        return this._text.name.trim() ? null : 'Give the job a name.';
      case 'schedule.at':
      case 'schedule.cron': {
        const schedule = this._schedule();
        return !schedule.ok && schedule.field === field ? schedule.error : null;
      }
      case 'combinations': {
        const list = this.combinations();
        return list.count > 0 && list.kept === 0
          ? 'Keep at least one combination: the job runs those checked.'
          : null;
      }
      case 'webhook.url':
        return !this._text.webhookUrl.trim() && this._text.webhookSecret
          ? 'Give the URL the secret signs for, or clear the secret.'
          : null;
      default:
        return null;
    }
  }

  /** A refused request's message at the fields its issues point at. */
  private _placeErrors(reason: unknown, request: IJobRequest): void {
    const message = errorMessage(reason);
    const issues = reason instanceof APIError ? reason.issues : [];
    const context = { axes: this.axes, envRows: this._envRows, request };
    for (const issue of issues) {
      const field = fieldOfPointer(issue.pointer ?? '', context);
      if (!this._errors.has(field)) {
        this._errors.set(field, issue.message || message);
      }
    }
    if (issues.length === 0) {
      this._errors.set('form', message);
    } else if (!this._errors.has('form') && this._errors.size > 1) {
      // Several fields at fault: the message says it once, on top.
      this._errors.set('form', message);
    }
  }

  private _clear(field: string): void {
    this._errors.delete(field);
    if (this._errors.size === 1 && this._errors.has('form')) {
      this._errors.delete('form');
    }
  }

  /** Ask for the next times of the schedule as it now is. */
  private _schedulePreview(): void {
    const schedule = this._schedule();
    // Nothing to preview yet: the field says what is missing on submit.
    this._preview.ask(schedule.ok ? schedule.schedule : null);
  }

  private _options: JobDraft.IOptions;
  private _text: Record<TextField, string>;
  private _scheduleKind: ScheduleKind = 'now';
  private _values = new Map<string, string>();
  private _excluded = new Set<string>();
  private _envRows: IEnvRow[] = [];
  private _errors = new Map<string, string>();
  private _checked = false;
  private _submitting = false;
  private _preview: SchedulePreview;
  private _changed = new Signal<this, void>(this);
}

/** The error field of each text field. */
const FIELD_OF_TEXT: Record<TextField, string> = {
  name: 'name',
  at: 'schedule.at',
  cron: 'schedule.cron',
  timezone: 'schedule.timezone',
  maxRetained: 'max_retained_runs',
  webhookUrl: 'webhook.url',
  webhookSecret: 'webhook.secret'
};

export namespace JobDraft {
  export interface IOptions {
    /** The pipeline file, relative to the server root. */
    pipelinePath: string;
    /** The parsed pipeline (its name and parameters). */
    pipeline: unknown;
    /** Asks the server for a schedule's next times. */
    preview: SchedulePreviewSource;
    /** Makes the job. */
    create: (request: IJobRequest) => Promise<IJob>;
    /** Now (for the default name). */
    now?: Date;
    /** The user's time zone (the browser's by default). */
    timezone?: string;
    /** Milliseconds to wait for the user to stop typing before a preview. */
    previewDelay?: number;
  }
}
