/**
 * How jobs are told in the interface: schedules in words, times in the
 * user's time zone, statuses, run counts and disk use; and which actions a
 * job allows in its state.
 */
import type {
  IJob,
  JobRunCounts,
  JobSchedule,
  JobStatus
} from '../api/jobTypes';

const WEEKDAYS = [
  'Sunday',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
  'Sunday'
];

function isNumber(field: string, max: number): boolean {
  return /^\d{1,2}$/.test(field) && Number(field) <= max;
}

function clock(hour: string, minute: string): string {
  return `${hour.padStart(2, '0')}:${minute.padStart(2, '0')}`;
}

/**
 * A cron expression in words for its common forms ("every day at 03:00",
 * "every Monday at 09:30", "every 15 minutes"), else `cron <expression>`.
 */
export function describeCron(cron: string): string {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) {
    return `cron ${cron}`;
  }
  const [minute, hour, day, month, weekday] = fields;
  if (fields.every(f => f === '*')) {
    return 'every minute';
  }
  const every = /^\*\/(\d+)$/.exec(minute);
  if (
    every &&
    hour === '*' &&
    day === '*' &&
    month === '*' &&
    weekday === '*'
  ) {
    return `every ${every[1]} minutes`;
  }
  if (isNumber(minute, 59) && hour === '*' && day === '*' && month === '*') {
    if (weekday === '*') {
      return `every hour at :${minute.padStart(2, '0')}`;
    }
  }
  if (isNumber(minute, 59) && isNumber(hour, 23) && month === '*') {
    const at = clock(hour, minute);
    if (day === '*' && weekday === '*') {
      return `every day at ${at}`;
    }
    if (day === '*' && isNumber(weekday, 7)) {
      return `every ${WEEKDAYS[Number(weekday)]} at ${at}`;
    }
    if (day === '*' && weekday === '1-5') {
      return `every weekday at ${at}`;
    }
    if (isNumber(day, 31) && weekday === '*') {
      return `on day ${Number(day)} of every month at ${at}`;
    }
  }
  return `cron ${cron}`;
}

/** A time in the user's time zone, e.g. "Nov 22, 2026, 3:00 AM CET". */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) {
    return '';
  }
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) {
    return iso;
  }
  // dateStyle/timeStyle cannot be combined with timeZoneName.
  return time.toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short'
  });
}

/** When a job runs, in words. */
export function describeSchedule(schedule: JobSchedule | undefined): string {
  if (!schedule) {
    return 'Once, when made';
  }
  if ('at' in schedule) {
    return `Once, at ${formatTime(schedule.at)}`;
  }
  return `${describeCron(schedule.cron)} (${schedule.timezone || 'UTC'})`;
}

/** What a job's status is called in the interface. */
export function jobStatusLabel(status: JobStatus): string {
  switch (status) {
    case 'PENDING':
      return 'Waiting';
    case 'STARTED':
      return 'Active';
    case 'PAUSED':
      return 'Paused';
    case 'SUCCESS':
      return 'Succeeded';
    case 'FAILURE':
      return 'Failed';
    case 'ABORTED':
      return 'Cancelled';
  }
}

/** The run counts that the panel shows, in order, with their names. */
export const COUNTED: readonly [keyof JobRunCounts, string][] = [
  ['queued', 'queued'],
  ['STARTED', 'running'],
  ['SUCCESS', 'succeeded'],
  ['FAILURE', 'failed'],
  ['ABORTED', 'aborted']
];

/** Runs in flight: queued or running. */
export function runsInFlight(job: Pick<IJob, 'runs'>): number {
  return (job.runs?.queued ?? 0) + (job.runs?.STARTED ?? 0);
}

/** Bytes as people read them: 0 B, 12.3 KB, 4.5 MB (decimal units). */
export function formatBytes(bytes: number | undefined): string {
  const value = bytes ?? 0;
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let scaled = value;
  let unit = 0;
  while (scaled >= 1000 && unit < units.length - 1) {
    scaled /= 1000;
    unit++;
  }
  return unit === 0
    ? `${value} B`
    : `${scaled >= 100 ? Math.round(scaled) : scaled.toFixed(1)} ${units[unit]}`;
}

/** The actions of the Jobs panel. */
export type JobPanelAction =
  'pause' | 'resume' | 'trigger' | 'cancel' | 'delete';

/** Whether a job allows an action in its state. */
export function canAct(job: IJob, action: JobPanelAction): boolean {
  const ended =
    job.status === 'SUCCESS' ||
    job.status === 'FAILURE' ||
    job.status === 'ABORTED';
  switch (action) {
    case 'pause':
      return (
        (job.status === 'STARTED' || job.status === 'PENDING') &&
        !!job.next_run_at
      );
    case 'resume':
      return job.status === 'PAUSED';
    case 'trigger':
      return job.status !== 'ABORTED' && runsInFlight(job) === 0;
    case 'cancel':
      return !ended || runsInFlight(job) > 0;
    case 'delete':
      return true;
  }
}

/** The path of the job's pipeline inside a run's folder (a copy of the project). */
export function pipelineInRun(
  job: Pick<IJob, 'pipeline_path' | 'project'>
): string {
  const project = (job.project ?? '').replace(/\/+$/, '');
  if (
    project &&
    project !== '.' &&
    job.pipeline_path.startsWith(`${project}/`)
  ) {
    return job.pipeline_path.slice(project.length + 1);
  }
  return job.pipeline_path;
}
