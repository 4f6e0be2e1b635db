import type { IEnvironment } from '../api';
import {
  EscapeStripper,
  applyBuildEvent,
  buildPhase,
  describeBuild,
  formatDuration,
  lastBuildTime
} from '../model/buildState';
import { EventSchemas, IBuildEvent } from '../model/events';

function env(build: IEnvironment['build'], extra = {}): IEnvironment {
  return { uuid: 'e1', name: 'env', language: 'python', build, ...extra };
}

const KERNEL = 'orchest-env-p-e1';

describe('describeBuild', () => {
  it('tells the states apart', () => {
    const cases: [IEnvironment['build'], string][] = [
      [undefined, 'not-built'],
      [{ state: 'none' }, 'not-built'],
      [{ state: 'queued' }, 'queued'],
      [{ state: 'building', kernel_name: KERNEL }, 'building'],
      [{ state: 'ready', kernel_name: KERNEL, up_to_date: true }, 'built'],
      [{ state: 'ready', kernel_name: KERNEL, up_to_date: false }, 'outdated'],
      // A build in service whose venv went away is not built.
      [{ state: 'ready', kernel_name: null, up_to_date: false }, 'not-built'],
      [{ state: 'failed', message: 'bad' }, 'failed'],
      [{ state: 'cancelled', message: 'cancelled' }, 'cancelled']
    ];
    for (const [build, kind] of cases) {
      expect([build, describeBuild(env(build)).kind]).toEqual([build, kind]);
    }
  });

  it('says whether a failed or cancelled build left an older one in service', () => {
    const failed = describeBuild(
      env({
        state: 'failed',
        message: 'could not run the setup script (exit status 1)',
        kernel_name: KERNEL,
        up_to_date: false
      })
    );
    expect(failed.kind).toBe('failed');
    expect(failed.inService).toBe(true);
    expect(failed.detail).toBe(
      'could not run the setup script (exit status 1). The previous build stays in service.'
    );
    const cancelled = describeBuild(
      env({ state: 'cancelled', kernel_name: KERNEL, up_to_date: false })
    );
    expect(cancelled).toMatchObject({
      kind: 'cancelled',
      inService: true,
      detail: 'The previous build stays in service.'
    });
    const first = describeBuild(env({ state: 'cancelled', kernel_name: null }));
    expect(first).toMatchObject({ kind: 'cancelled', inService: false });
    expect(first.detail).toBe('');
    // The definition was put back as the build in service has it.
    expect(
      describeBuild(
        env({ state: 'failed', kernel_name: KERNEL, up_to_date: true })
      ).kind
    ).toBe('built');
  });

  it('marks queued and building as active, and broken definitions', () => {
    expect(describeBuild(env({ state: 'queued' })).active).toBe(true);
    expect(describeBuild(env({ state: 'building' })).active).toBe(true);
    expect(
      describeBuild(
        env({ state: 'ready', kernel_name: KERNEL, up_to_date: true })
      ).active
    ).toBe(false);
    const broken = describeBuild({
      uuid: 'x',
      name: '',
      language: '',
      error: 'properties.json is not valid JSON'
    });
    expect(broken).toMatchObject({
      kind: 'broken',
      detail: 'properties.json is not valid JSON'
    });
  });
});

describe('applyBuildEvent', () => {
  it("replaces the build status with the event's fields", () => {
    const before = env(
      { state: 'ready', kernel_name: KERNEL, up_to_date: true, hash: 'a' },
      { setup_script: 'echo' }
    );
    const event: IBuildEvent = {
      schema_id: EventSchemas.environmentBuild,
      project: 'p',
      environment_uuid: 'e1',
      state: 'building',
      hash: 'b',
      started_at: '2026-01-01T00:00:00.000+00:00',
      finished_at: null,
      up_to_date: false
    };
    const after = applyBuildEvent(before, event);
    expect(after.build).toEqual({
      state: 'building',
      kernel_name: KERNEL,
      up_to_date: false,
      hash: 'b',
      started_at: '2026-01-01T00:00:00.000+00:00',
      finished_at: null
    });
    expect(after.setup_script).toBe('echo');
    expect(before.build?.state).toBe('ready');
  });
});

describe('buildPhase', () => {
  const log = [
    "Building 'env' on /usr/bin/python3",
    '',
    '$ /uv venv --seed --no-python-downloads --python /usr/bin/python3 /b/venv',
    'Using CPython 3.11',
    '',
    '$ /uv pip install --compile-bytecode --python /b/venv/bin/python ipykernel pyarrow',
    'Resolved 30 packages',
    '',
    '$ bash /b/setup_script.sh',
    'hello',
    '',
    '$ /b/venv/bin/python -c import ipykernel',
    'Environment ready.'
  ];

  it('follows the commands a build logs', () => {
    expect(buildPhase(log.slice(0, 2).join('\n'), true)).toBeNull();
    expect(buildPhase(log.slice(0, 4).join('\n'), true)).toEqual({
      step: 1,
      total: 4,
      label: 'creating the virtual environment'
    });
    expect(buildPhase(log.slice(0, 7).join('\n'), true)?.step).toBe(2);
    expect(buildPhase(log.slice(0, 10).join('\n'), true)).toEqual({
      step: 3,
      total: 4,
      label: 'running the setup script'
    });
    expect(buildPhase(log.join('\n'), true)?.step).toBe(4);
  });

  it('goes on from the phase of the earlier pieces', () => {
    const first = buildPhase(log.slice(0, 6).join('\n'), true);
    expect(first?.step).toBe(2);
    expect(buildPhase('Resolved 30 packages\n', true, first)).toBe(first);
    expect(buildPhase(`${log[8]}\n`, true, first)?.step).toBe(3);
  });

  it('has no setup step without a setup script', () => {
    expect(buildPhase(log.slice(0, 7).join('\n'), false)).toEqual({
      step: 2,
      total: 3,
      label: 'installing the kernel'
    });
    expect(buildPhase(log[11], false)).toEqual({
      step: 3,
      total: 3,
      label: 'checking the kernel'
    });
  });
});

describe('times', () => {
  it('formats durations roughly', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(12_400)).toBe('12 s');
    expect(formatDuration(3 * 60_000 + 5_000)).toBe('3 min');
    expect(formatDuration(5 * 3_600_000)).toBe('5 h');
    expect(formatDuration(3 * 86_400_000)).toBe('3 days');
  });

  it('says when the latest build ended, or started while it runs', () => {
    const now = Date.parse('2026-01-01T00:10:00.000+00:00');
    expect(
      lastBuildTime(
        env({
          state: 'ready',
          started_at: '2026-01-01T00:00:00.000+00:00',
          finished_at: '2026-01-01T00:08:00.000+00:00'
        }),
        now
      )
    ).toBe('2 min ago');
    expect(
      lastBuildTime(
        env({ state: 'building', started_at: '2026-01-01T00:09:30.000+00:00' }),
        now
      )
    ).toBe('30 s ago');
    expect(lastBuildTime(env({ state: 'none' }), now)).toBe('');
    expect(
      lastBuildTime(env({ state: 'ready', finished_at: 'soon' }), now)
    ).toBe('');
  });
});

describe('EscapeStripper', () => {
  it("removes uv's colours, also when a sequence is cut between pieces", () => {
    const stripper = new EscapeStripper();
    expect(
      stripper.push(
        ' \u001b[32m+\u001b[39m \u001b[1mipykernel\u001b[0m\u001b[2m==7.4.0\u001b[0m\n'
      )
    ).toBe(' + ipykernel==7.4.0\n');
    expect(stripper.push('a \u001b[3')).toBe('a ');
    expect(stripper.push('2mgreen\u001b')).toBe('green');
    expect(stripper.push('[0m done\n')).toBe(' done\n');
    expect(
      stripper.push('\u001b]8;;http://x\u0007link\u001b]8;;\u0007\n')
    ).toBe('link\n');
    expect(stripper.push('plain $ text [1m\n')).toBe('plain $ text [1m\n');
  });
});
