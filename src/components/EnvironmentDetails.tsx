/**
 * The selected environment in the Environments panel: its name and setup
 * script (edited, then saved), its build state with Build / Cancel / Delete,
 * and its latest build log, followed while it builds.
 */
import React, { useEffect, useRef } from 'react';

import type { IEnvironment } from '../api';
import { EnvironmentsPanelModel } from '../model/EnvironmentsPanelModel';
import {
  IBuildDescription,
  describeBuild,
  formatDuration,
  lastBuildTime
} from '../model/buildState';

/** What the details' buttons need from the app. */
export interface IEnvironmentActions {
  /** Ask before deleting; resolves true to go on. */
  confirmDelete(env: IEnvironment): Promise<boolean>;
}

/** A build state badge. */
export function BuildBadge(props: { build: IBuildDescription }): JSX.Element {
  const { build } = props;
  return (
    <span
      className={`orchest-lab-BuildBadge orchest-lab-BuildBadge--${build.kind}`}
      data-build-kind={build.kind}
      title={build.detail}
    >
      {build.label}
    </span>
  );
}

/** "Building · step 2/4: installing the kernel · 12 s". */
export function buildProgress(
  model: EnvironmentsPanelModel,
  env: IEnvironment,
  now: number
): string {
  const phase = model.phase(env.uuid);
  const parts: string[] = [];
  if (phase) {
    parts.push(`step ${phase.step}/${phase.total}: ${phase.label}`);
  }
  const started = Date.parse(env.build?.started_at ?? '');
  if (Number.isFinite(started)) {
    parts.push(formatDuration(now - started));
  }
  return parts.join(' · ');
}

function BuildLog(props: { model: EnvironmentsPanelModel }): JSX.Element {
  const log = props.model.log;
  const ref = useRef<HTMLPreElement>(null);
  const atEnd = useRef(true);
  const text = log?.text ?? '';
  useEffect(() => {
    const node = ref.current;
    if (node && atEnd.current) {
      node.scrollTop = node.scrollHeight;
    }
  }, [text]);
  return (
    <div className="orchest-lab-EnvironmentLog-box">
      <div className="orchest-lab-EnvironmentDetails-label">
        Build log
        {log?.following && (
          <span className="orchest-lab-EnvironmentLog-live"> · live</span>
        )}
      </div>
      {log?.error && (
        <div className="orchest-lab-EnvironmentDetails-error" role="alert">
          {log.error}
        </div>
      )}
      <pre
        ref={ref}
        className="orchest-lab-EnvironmentLog"
        data-following={log?.following ? 'true' : 'false'}
        aria-label="Build log"
        tabIndex={0}
        onScroll={event => {
          const node = event.currentTarget;
          atEnd.current =
            node.scrollTop + node.clientHeight >= node.scrollHeight - 4;
        }}
      >
        {text || (log?.following ? 'Waiting for the build…' : 'No build yet.')}
      </pre>
    </div>
  );
}

/** The selected environment. */
export function EnvironmentDetails(props: {
  model: EnvironmentsPanelModel;
  env: IEnvironment;
  actions: IEnvironmentActions;
  now: number;
}): JSX.Element {
  const { model, env, actions, now } = props;
  const build = describeBuild(env);
  const action = model.action(env.uuid);
  const error = model.actionError(env.uuid);
  const draft = model.draft(env.uuid);
  if (!draft) {
    return (
      <div className="orchest-lab-EnvironmentDetails" data-env-uuid={env.uuid}>
        <div className="orchest-lab-EnvironmentDetails-error" role="alert">
          .orchest/environments/{env.uuid}/ cannot be read: {env.error}
        </div>
      </div>
    );
  }
  const busy = action !== null;
  const when = lastBuildTime(env, now);
  const onDelete = async () => {
    if (await actions.confirmDelete(env)) {
      await model.remove(env.uuid);
    }
  };
  return (
    <div
      className="orchest-lab-EnvironmentDetails"
      data-env-uuid={env.uuid}
      data-build-kind={build.kind}
      data-dirty={draft.dirty ? 'true' : 'false'}
    >
      <div className="orchest-lab-EnvironmentDetails-head">
        <input
          className="jp-mod-styled orchest-lab-EnvironmentDetails-name"
          aria-label="Environment name"
          value={draft.name}
          onChange={event => model.setName(env.uuid, event.target.value)}
        />
        {draft.dirty && (
          <span
            className="orchest-lab-EnvironmentDetails-dirty"
            title="Unsaved changes"
          >
            Unsaved changes
          </span>
        )}
      </div>
      <div className="orchest-lab-EnvironmentDetails-meta">
        <span>{env.language}</span>
        {env.base_image && <span>{env.base_image}</span>}
        <span className="orchest-lab-EnvironmentDetails-uuid">{env.uuid}</span>
      </div>
      <div className="orchest-lab-EnvironmentDetails-build" role="status">
        <BuildBadge build={build} />
        <span className="orchest-lab-EnvironmentDetails-progress">
          {build.active
            ? buildProgress(model, env, now)
            : [build.detail, when && `Last build ${when}.`]
                .filter(Boolean)
                .join(' ')}
        </span>
      </div>
      {build.inService && env.build?.kernel_name && (
        <div className="orchest-lab-EnvironmentDetails-kernel">
          Kernel: <code>{env.build.kernel_name}</code>
        </div>
      )}
      <div className="orchest-lab-EnvironmentDetails-actions">
        <button
          className="jp-Button jp-mod-styled jp-mod-accept"
          disabled={!draft.dirty || busy}
          onClick={() => void model.save(env.uuid)}
          title="Save the name and setup script (Ctrl+S)"
        >
          {action === 'saving' ? 'Saving…' : 'Save'}
        </button>
        <button
          className="jp-Button jp-mod-styled jp-mod-reject"
          disabled={!draft.dirty || busy}
          onClick={() => model.revert(env.uuid)}
          title="Drop the unsaved changes"
        >
          Revert
        </button>
        <button
          className="jp-Button jp-mod-styled"
          disabled={busy || build.active}
          onClick={() => void model.build(env.uuid)}
          title={
            draft.dirty
              ? 'Save, then build the environment'
              : 'Build the environment (nothing is rebuilt if unchanged)'
          }
        >
          {draft.dirty ? 'Save and Build' : 'Build'}
        </button>
        <button
          className="jp-Button jp-mod-styled"
          disabled={!build.active || action === 'cancelling'}
          onClick={() => void model.cancel(env.uuid)}
          title="Stop the build; the build in service stays"
        >
          Cancel Build
        </button>
        <button
          className="jp-Button jp-mod-styled jp-mod-warn"
          disabled={busy}
          onClick={() => void onDelete()}
          title="Delete the environment, its builds and its kernel"
        >
          Delete
        </button>
      </div>
      {error && (
        <div className="orchest-lab-EnvironmentDetails-error" role="alert">
          {error}
        </div>
      )}
      <label
        className="orchest-lab-EnvironmentDetails-label"
        htmlFor={`orchest-lab-setup-${env.uuid}`}
      >
        Setup script (setup_script.sh, run inside the environment)
      </label>
      <textarea
        id={`orchest-lab-setup-${env.uuid}`}
        className="orchest-lab-EnvironmentDetails-script"
        aria-label="Setup script"
        spellCheck={false}
        value={draft.script}
        onChange={event => model.setScript(env.uuid, event.target.value)}
      />
      <BuildLog model={model} />
    </div>
  );
}
