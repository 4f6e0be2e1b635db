/**
 * What an environment's build status means to a user: not built, queued,
 * building (with its step), built, outdated definition, failed or cancelled
 * (saying whether an earlier build stays in service), and how long ago.
 */
import type { IBuildStatus, IEnvironment } from '../api';
import type { IBuildEvent } from './events';

/** How the panel shows an environment's build. */
export type BuildKind =
  | 'broken'
  | 'not-built'
  | 'queued'
  | 'building'
  | 'built'
  | 'outdated'
  | 'failed'
  | 'cancelled';

/** An environment's build, described. */
export interface IBuildDescription {
  kind: BuildKind;
  /** A word or two for a badge. */
  label: string;
  /** A sentence with the reason, or what stays in service; may be ''. */
  detail: string;
  /** Whether a build is queued or running. */
  active: boolean;
  /** Whether a good build (a kernel) is in service. */
  inService: boolean;
}

const LABELS: Record<BuildKind, string> = {
  broken: 'Broken definition',
  'not-built': 'Not built',
  queued: 'Queued',
  building: 'Building',
  built: 'Built',
  outdated: 'Outdated',
  failed: 'Failed',
  cancelled: 'Cancelled'
};

/** Describe the build of an environment. */
export function describeBuild(env: IEnvironment): IBuildDescription {
  if (env.error) {
    return {
      kind: 'broken',
      label: LABELS.broken,
      detail: env.error,
      active: false,
      inService: false
    };
  }
  const build: IBuildStatus = env.build ?? { state: 'none' };
  const inService = !!build.kernel_name;
  const upToDate = inService && build.up_to_date === true;
  const make = (kind: BuildKind, detail = ''): IBuildDescription => ({
    kind,
    label: LABELS[kind],
    detail,
    active: kind === 'queued' || kind === 'building',
    inService
  });
  const previous = inService ? 'The previous build stays in service.' : '';
  const reason = build.message ? `${build.message}. ` : '';
  switch (build.state) {
    case 'queued':
      return make('queued', 'Waiting for another build to end.');
    case 'building':
      return make('building');
    case 'failed':
      if (upToDate) {
        return make('built');
      }
      return make('failed', `${reason}${previous}`.trim());
    case 'cancelled':
      if (upToDate) {
        return make('built');
      }
      return make('cancelled', previous);
    default:
      break;
  }
  if (upToDate) {
    return make('built');
  }
  if (inService) {
    return make(
      'outdated',
      'The definition changed since the build in service: build it again.'
    );
  }
  return make('not-built');
}

/** The environment with its build status replaced by an event's. */
export function applyBuildEvent(
  env: IEnvironment,
  event: IBuildEvent
): IEnvironment {
  const build: IBuildStatus = {
    ...(env.build ?? { state: 'none' }),
    state: event.state as IBuildStatus['state']
  };
  for (const key of [
    'message',
    'hash',
    'started_at',
    'finished_at',
    'kernel_name',
    'up_to_date',
    'building'
  ] as const) {
    if (key in event) {
      build[key] = event[key] as never;
    }
  }
  return { ...env, build };
}

/** Where a build is: its step (1-based) of how many, and what it does. */
export interface IBuildPhase {
  step: number;
  total: number;
  label: string;
}

const PHASES: { label: string; test: (command: string) => boolean }[] = [
  {
    label: 'creating the virtual environment',
    test: command => /\svenv\s/.test(` ${command} `)
  },
  {
    label: 'installing the kernel',
    test: command => /\spip install\s/.test(` ${command} `)
  },
  {
    label: 'running the setup script',
    test: command => command.includes('setup_script.sh')
  },
  {
    label: 'checking the kernel',
    test: command => command.includes('import ipykernel')
  }
];

/**
 * The build's step, read from the commands it logged (`$ ...` lines), given
 * the log so far (or the phase before this piece of it). A build with an
 * empty setup script has no setup step.
 */
export function buildPhase(
  text: string,
  hasSetupScript: boolean,
  before: IBuildPhase | null = null
): IBuildPhase | null {
  const total = hasSetupScript ? PHASES.length : PHASES.length - 1;
  let phase = before;
  for (const line of text.split('\n')) {
    if (!line.startsWith('$ ')) {
      continue;
    }
    const index = PHASES.findIndex(p => p.test(line.slice(2)));
    if (index < 0) {
      continue;
    }
    const step = hasSetupScript || index < 2 ? index + 1 : index;
    phase = { step, total, label: PHASES[index].label };
  }
  return phase;
}

/** "12 s", "3 min", "2 h", "4 days": how long `ms` is, roughly. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) {
    return `${seconds} s`;
  }
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    return `${minutes} min`;
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 48) {
    return `${hours} h`;
  }
  return `${Math.floor(hours / 24)} days`;
}

/**
 * When the latest build ended (or started, while it runs), relative to
 * `now`: "3 min ago"; '' when unknown.
 */
export function lastBuildTime(env: IEnvironment, now = Date.now()): string {
  const build = env.build;
  const when = build?.finished_at || build?.started_at;
  if (!when) {
    return '';
  }
  const time = Date.parse(when);
  if (!Number.isFinite(time)) {
    return '';
  }
  return `${formatDuration(now - time)} ago`;
}

/** Terminal escape sequences (colours, cursor moves) uv and pip write. */
const ESCAPES =
  /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[@-Z\\-_])/g;
/** An escape sequence cut at the end of a piece of text. */
const CUT = /\u001b(?:\[[0-?]*[ -/]*|\][^\u0007\u001b]*)?$/;

/**
 * Removes terminal escape sequences from a stream of text, piece by piece: a
 * sequence cut between two pieces is held back until the next one.
 */
export class EscapeStripper {
  /** The printable text of `piece`. */
  push(piece: string): string {
    const text = this._held + piece;
    const cut = CUT.exec(text);
    this._held = cut ? cut[0] : '';
    const whole = cut ? text.slice(0, cut.index) : text;
    return whole.replace(ESCAPES, '');
  }

  private _held = '';
}
