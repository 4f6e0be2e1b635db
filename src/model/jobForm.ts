/**
 * The pure logic of the "Create Job" dialog: the parameters a job can list
 * values for, value lists typed as JSON, the grid and its combinations, the
 * schedule, and which field an error of the server points at.
 */
import type { IJobRequest, IParameterGrid, JobSchedule } from '../api/jobTypes';
import type { IRunParameters } from '../api/types';
import { isJSONObject } from './pipeline';

/** A parameter of the pipeline or of a step. */
export interface IParameterAxis {
  /** Unique: `pipeline/<name>` or `step/<uuid>/<name>`. */
  key: string;
  /** The step's uuid, or null for a pipeline parameter. */
  step: string | null;
  /** 'Pipeline', or the step's title. */
  ownerLabel: string;
  name: string;
  /** Its value in the pipeline file. */
  current: unknown;
}

/** A parameter with the values listed for it. */
export interface IGridAxis {
  axis: IParameterAxis;
  values: unknown[];
}

/** The key of a pipeline parameter, or of a step's. */
export function axisKey(step: string | null, name: string): string {
  return step === null ? `pipeline/${name}` : `step/${step}/${name}`;
}

/** The parameters of a parsed pipeline: the pipeline's, then each step's. */
export function parameterAxes(pipeline: unknown): IParameterAxis[] {
  const axes: IParameterAxis[] = [];
  if (!isJSONObject(pipeline)) {
    return axes;
  }
  if (isJSONObject(pipeline.parameters)) {
    for (const [name, current] of Object.entries(pipeline.parameters)) {
      axes.push({
        key: axisKey(null, name),
        step: null,
        ownerLabel: 'Pipeline',
        name,
        current
      });
    }
  }
  if (isJSONObject(pipeline.steps)) {
    for (const [uuid, step] of Object.entries(pipeline.steps)) {
      if (!isJSONObject(step) || !isJSONObject(step.parameters)) {
        continue;
      }
      const title =
        typeof step.title === 'string' && step.title.trim() ? step.title : uuid;
      for (const [name, current] of Object.entries(step.parameters)) {
        axes.push({
          key: axisKey(uuid, name),
          step: uuid,
          ownerLabel: title,
          name,
          current
        });
      }
    }
  }
  return axes;
}

/** A value list as typed: its values, or why it is not JSON. */
export type ValueListResult =
  { ok: true; values: unknown[] } | { ok: false; error: string };

/**
 * Parse values typed as JSON: `0.1, 0.2` (values separated by commas) or
 * `[1, 2]` (a JSON list of them); a single list value is `[[1, 2]]`. Text
 * values need their quotes: `"a", "b"`.
 */
export function parseValueList(text: string): ValueListResult {
  const trimmed = text.trim();
  if (!trimmed) {
    return { ok: false, error: 'Give at least one value.' };
  }
  if (trimmed.startsWith('[')) {
    try {
      const whole = JSON.parse(trimmed);
      if (Array.isArray(whole)) {
        return whole.length > 0
          ? { ok: true, values: whole }
          : { ok: false, error: 'The list is empty: give at least one value.' };
      }
    } catch {
      // Not one list: maybe several values, the first a list.
    }
  }
  try {
    const values = JSON.parse(`[${trimmed}]`);
    if (Array.isArray(values) && values.length > 0) {
      return { ok: true, values };
    }
  } catch (reason) {
    const bare = /(^|,)\s*[A-Za-z_][^,"]*\s*(,|$)/.test(trimmed);
    const detail = reason instanceof Error ? reason.message : String(reason);
    return {
      ok: false,
      error:
        `Not JSON values: ${detail}. Separate values with commas, e.g. 0.1, 0.2 or [1, 2]` +
        (bare ? '; text needs quotes, e.g. "a", "b".' : '.')
    };
  }
  return { ok: false, error: 'Give at least one value.' };
}

/** Values as {@link parseValueList} reads them back. */
export function formatValueList(values: readonly unknown[]): string {
  if (values.length === 1 && Array.isArray(values[0])) {
    return JSON.stringify(values);
  }
  return values.map(value => JSON.stringify(value)).join(', ');
}

/** The grid a job request sends: the values of every parameter. */
export function buildGrid(axes: readonly IGridAxis[]): IParameterGrid {
  const pipeline: Record<string, unknown[]> = {};
  const steps: Record<string, Record<string, unknown[]>> = {};
  for (const { axis, values } of axes) {
    if (axis.step === null) {
      pipeline[axis.name] = [...values];
    } else {
      (steps[axis.step] ??= {})[axis.name] = [...values];
    }
  }
  return { pipeline, steps };
}

/** How many runs the grid makes. */
export function countCombinations(axes: readonly IGridAxis[]): number {
  return axes.reduce((total, { values }) => total * values.length, 1);
}

/**
 * Every combination of the listed values, as the server orders them:
 * pipeline parameters vary slowest, the last step's last parameter fastest.
 */
export function combinations(axes: readonly IGridAxis[]): IRunParameters[] {
  const ordered = [
    ...axes.filter(a => a.axis.step === null),
    ...axes.filter(a => a.axis.step !== null)
  ];
  let result: IRunParameters[] = [{ pipeline: {}, steps: {} }];
  for (const { axis, values } of ordered) {
    const next: IRunParameters[] = [];
    for (const partial of result) {
      for (const value of values) {
        const pipeline = { ...partial.pipeline };
        const steps = { ...partial.steps };
        if (axis.step === null) {
          pipeline[axis.name] = value;
        } else {
          steps[axis.step] = { ...steps[axis.step], [axis.name]: value };
        }
        next.push({ pipeline, steps });
      }
    }
    result = next;
  }
  return result;
}

/** JSON with keys sorted at every level: equal values, equal text. */
export function stableJSON(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(stableJSON).join(',')}]`;
  }
  if (isJSONObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map(k => `${JSON.stringify(k)}:${stableJSON(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** A key that tells combinations apart. */
export function combinationKey(combination: IRunParameters): string {
  return stableJSON({
    pipeline: combination.pipeline ?? {},
    steps: combination.steps ?? {}
  });
}

/**
 * A combination in words: the values of the parameters that vary (given
 * more than one value), e.g. `Train: learning_rate = 0.1`.
 */
export function describeCombination(
  combination: IRunParameters,
  axes: readonly IGridAxis[]
): string {
  const parts: string[] = [];
  for (const { axis, values } of axes) {
    if (values.length < 2) {
      continue;
    }
    const value =
      axis.step === null
        ? combination.pipeline?.[axis.name]
        : combination.steps?.[axis.step]?.[axis.name];
    const owner = axis.step === null ? '' : `${axis.ownerLabel}: `;
    parts.push(`${owner}${axis.name} = ${JSON.stringify(value)}`);
  }
  return parts.length > 0 ? parts.join(' · ') : "the pipeline's values";
}

/**
 * The parameters a run of a job ran with, in words. Given the job's grid,
 * only those listed with more than one value (what tells its runs apart);
 * step parameters are named `<step>: <name>`.
 */
export function describeRunParameters(
  parameters: IRunParameters | undefined,
  options: {
    grid?: IParameterGrid;
    stepTitle?: (uuid: string) => string;
  } = {}
): string {
  const { grid } = options;
  const stepTitle = options.stepTitle ?? ((uuid: string) => uuid.slice(0, 8));
  const varies = (step: string | null, name: string): boolean => {
    if (!grid) {
      return true;
    }
    const listed =
      step === null ? grid.pipeline?.[name] : grid.steps?.[step]?.[name];
    return Array.isArray(listed) && listed.length > 1;
  };
  const parts: string[] = [];
  for (const [name, value] of Object.entries(parameters?.pipeline ?? {})) {
    if (varies(null, name)) {
      parts.push(`${name} = ${JSON.stringify(value)}`);
    }
  }
  for (const [step, values] of Object.entries(parameters?.steps ?? {})) {
    for (const [name, value] of Object.entries(values ?? {})) {
      if (varies(step, name)) {
        parts.push(`${stepTitle(step)}: ${name} = ${JSON.stringify(value)}`);
      }
    }
  }
  return parts.join(' · ');
}

/** When the job runs, as the dialog asks it. */
export type ScheduleKind = 'now' | 'at' | 'cron';

/** A schedule from the dialog's fields, or the field at fault and why. */
export type ScheduleResult =
  | { ok: true; schedule: JobSchedule }
  | { ok: false; field: string; error: string };

/**
 * The schedule of the request. `at` is an `<input type="datetime-local">`
 * value (the user's local time), sent as UTC.
 */
export function buildSchedule(
  kind: ScheduleKind,
  fields: { at: string; cron: string; timezone: string }
): ScheduleResult {
  if (kind === 'now') {
    return { ok: true, schedule: null };
  }
  if (kind === 'at') {
    if (!fields.at.trim()) {
      return {
        ok: false,
        field: 'schedule.at',
        error: 'Choose a date and time.'
      };
    }
    const time = new Date(fields.at);
    if (Number.isNaN(time.getTime())) {
      return {
        ok: false,
        field: 'schedule.at',
        error: `'${fields.at}' is not a date and time.`
      };
    }
    return { ok: true, schedule: { at: time.toISOString() } };
  }
  const cron = fields.cron.trim().split(/\s+/).join(' ');
  if (!cron) {
    return {
      ok: false,
      field: 'schedule.cron',
      error: "Give a cron expression, such as '0 3 * * *' (every day at 03:00)."
    };
  }
  const timezone = fields.timezone.trim() || 'UTC';
  return { ok: true, schedule: { cron, timezone } };
}

/** `max_retained_runs` from its field: empty keeps every run. */
export function parseRetention(
  text: string
): { ok: true; value: number | null } | { ok: false; error: string } {
  const trimmed = text.trim();
  if (!trimmed) {
    return { ok: true, value: null };
  }
  if (!/^\d+$/.test(trimmed) || Number(trimmed) < 1) {
    return {
      ok: false,
      error: 'A whole number of at least 1, or empty to keep every run.'
    };
  }
  return { ok: true, value: Number(trimmed) };
}

/** A row of the environment variables. */
export interface IEnvRow {
  name: string;
  value: string;
}

/**
 * The variables of the rows (empty rows left out), or the first row at
 * fault and why.
 */
export function envVariables(
  rows: readonly IEnvRow[]
):
  | { ok: true; variables: Record<string, string> }
  | { ok: false; row: number; error: string } {
  const variables: Record<string, string> = {};
  for (let row = 0; row < rows.length; row++) {
    const name = rows[row].name.trim();
    if (!name && !rows[row].value) {
      continue;
    }
    if (!name) {
      return { ok: false, row, error: 'Give the variable a name.' };
    }
    if (name.includes('=')) {
      return { ok: false, row, error: "A name cannot hold '='." };
    }
    if (name in variables) {
      return { ok: false, row, error: `'${name}' is set twice.` };
    }
    variables[name] = rows[row].value;
  }
  return { ok: true, variables };
}

/** The segments of a JSON pointer, unescaped (`~1` is `/`, `~0` is `~`). */
export function pointerSegments(pointer: string): string[] {
  if (!pointer || pointer === '/') {
    return pointer === '/' ? [''] : [];
  }
  return pointer
    .replace(/^\//, '')
    .split('/')
    .map(part => part.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * The field of the dialog an issue's JSON pointer names, in the request the
 * dialog sent: `name`, `schedule.cron`, `schedule.timezone`, `schedule.at`,
 * `param:<axis key>`, `parameters`, `combinations`, `env:<row>`, `env`,
 * `max_retained_runs`, `webhook.url`, `webhook.secret`, or `form` (none in
 * particular, e.g. the pipeline).
 */
export function fieldOfPointer(
  pointer: string,
  context: {
    axes: readonly IParameterAxis[];
    envRows: readonly IEnvRow[];
    request?: Pick<IJobRequest, 'schedule'>;
  }
): string {
  const [head, ...rest] = pointerSegments(pointer);
  switch (head) {
    case 'name':
      return 'name';
    case 'schedule': {
      if (rest[0] === 'cron' || rest[0] === 'timezone' || rest[0] === 'at') {
        return `schedule.${rest[0]}`;
      }
      const schedule = context.request?.schedule;
      return schedule && 'at' in schedule ? 'schedule.at' : 'schedule.cron';
    }
    case 'parameters': {
      const [kind, owner, name] = rest;
      if (kind === 'pipeline' && owner !== undefined) {
        const key = axisKey(null, owner);
        return context.axes.some(a => a.key === key)
          ? `param:${key}`
          : 'parameters';
      }
      if (kind === 'steps' && owner !== undefined) {
        const ofStep = context.axes.filter(
          a => a.step === owner || a.ownerLabel === owner
        );
        const axis =
          name !== undefined
            ? ofStep.find(a => a.name === name)
            : ofStep.length === 1
              ? ofStep[0]
              : undefined;
        return axis ? `param:${axis.key}` : 'parameters';
      }
      return 'parameters';
    }
    case 'combinations':
      return 'combinations';
    case 'env_variables': {
      if (rest[0] !== undefined) {
        const row = context.envRows.findIndex(r => r.name.trim() === rest[0]);
        if (row >= 0) {
          return `env:${row}`;
        }
      }
      return 'env';
    }
    case 'max_retained_runs':
      return 'max_retained_runs';
    case 'webhook':
      return rest[0] === 'secret' ? 'webhook.secret' : 'webhook.url';
    default:
      return 'form';
  }
}

/** The name a new job gets: the pipeline's name and the date. */
export function defaultJobName(pipelineName: string, now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const date =
    `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())} ` +
    `${pad(now.getHours())}:${pad(now.getMinutes())}`;
  return `${pipelineName || 'Job'} ${date}`;
}

/** The browser's time zone (an IANA name), UTC when it cannot tell. */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** The time zones the browser knows, for suggestions. */
export function knownTimeZones(): string[] {
  const intl = Intl as unknown as {
    supportedValuesOf?: (key: string) => string[];
  };
  try {
    return intl.supportedValuesOf?.('timeZone') ?? [];
  } catch {
    return [];
  }
}
