/**
 * The Environments panel: choose a project, see its environments with their
 * build state, create one, and edit / build the selected one.
 */
import { refreshIcon } from '@jupyterlab/ui-components';
import React, { useEffect, useState } from 'react';

import type { IEnvironment } from '../api';
import { EnvironmentsPanelModel } from '../model/EnvironmentsPanelModel';
import { describeBuild, lastBuildTime } from '../model/buildState';
import {
  BuildBadge,
  EnvironmentDetails,
  IEnvironmentActions,
  buildProgress
} from './EnvironmentDetails';
import { useSignal } from './useSignal';

/** The current time, ticking every second while `active`. */
function useNow(active: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) {
      return;
    }
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return active ? now : Date.now();
}

function ProjectPicker(props: { model: EnvironmentsPanelModel }): JSX.Element {
  const { model } = props;
  return (
    <div className="orchest-lab-EnvironmentsView-toolbar">
      <label htmlFor="orchest-lab-environments-project">Project</label>
      <div className="jp-HTMLSelect jp-DefaultStyle jp-Notebook-toolbarCellTypeDropdown orchest-lab-EnvironmentsView-project">
        <select
          id="orchest-lab-environments-project"
          aria-label="Project"
          value={model.project ?? ''}
          onChange={event => void model.setProject(event.target.value)}
        >
          {model.project === null && <option value="">Choose a project</option>}
          {model.projects.map(project => (
            <option key={project} value={project}>
              {project === '' ? '(server root)' : project}
            </option>
          ))}
        </select>
      </div>
      <button
        className="jp-Button jp-mod-minimal orchest-lab-EnvironmentsView-refresh"
        title="Reload the projects and environments"
        aria-label="Reload"
        onClick={() => {
          void model.loadProjects();
          void model.refresh();
        }}
      >
        <refreshIcon.react tag="span" />
      </button>
    </div>
  );
}

function NewEnvironment(props: { model: EnvironmentsPanelModel }): JSX.Element {
  const { model } = props;
  const [name, setName] = useState('');
  const [creating, setCreating] = useState(false);
  const create = async () => {
    if (!name.trim() || creating) {
      return;
    }
    setCreating(true);
    const created = await model.create(name.trim());
    setCreating(false);
    if (created) {
      setName('');
    }
  };
  return (
    <form
      className="orchest-lab-NewEnvironment"
      onSubmit={event => {
        event.preventDefault();
        void create();
      }}
    >
      <input
        className="jp-mod-styled"
        aria-label="New environment name"
        placeholder="New environment name"
        value={name}
        disabled={model.project === null}
        onChange={event => setName(event.target.value)}
      />
      <button
        type="submit"
        className="jp-Button jp-mod-styled jp-mod-accept"
        disabled={!name.trim() || creating || model.project === null}
      >
        Create
      </button>
      {model.createError && (
        <div className="orchest-lab-EnvironmentDetails-error" role="alert">
          {model.createError}
        </div>
      )}
    </form>
  );
}

function EnvironmentItem(props: {
  model: EnvironmentsPanelModel;
  env: IEnvironment;
  selected: boolean;
  now: number;
}): JSX.Element {
  const { model, env, selected, now } = props;
  const build = describeBuild(env);
  const dirty = model.draft(env.uuid)?.dirty ?? false;
  const detail = build.active
    ? buildProgress(model, env, now)
    : lastBuildTime(env, now);
  return (
    <li
      className={`orchest-lab-EnvironmentItem${selected ? ' jp-mod-selected' : ''}`}
      data-env-uuid={env.uuid}
      data-build-kind={build.kind}
      aria-selected={selected}
      role="option"
      onClick={() => model.select(env.uuid)}
      onKeyDown={event => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          model.select(env.uuid);
        }
      }}
      tabIndex={0}
      title={build.detail || env.uuid}
    >
      <span className="orchest-lab-EnvironmentItem-name">
        {env.error ? env.uuid : env.name}
        {dirty && (
          <span
            className="orchest-lab-EnvironmentItem-dirty"
            title="Unsaved changes"
          >
            {' '}
            ●
          </span>
        )}
      </span>
      <span className="orchest-lab-EnvironmentItem-detail">
        <BuildBadge build={build} />
        {!env.error && (
          <span className="orchest-lab-EnvironmentItem-language">
            {env.language}
          </span>
        )}
        {detail && (
          <span className="orchest-lab-EnvironmentItem-time">{detail}</span>
        )}
      </span>
    </li>
  );
}

/** The whole panel. */
export function EnvironmentsView(props: {
  model: EnvironmentsPanelModel;
  actions: IEnvironmentActions;
}): JSX.Element {
  const { model, actions } = props;
  useSignal(model.changed);
  const active = model.environments.some(env => describeBuild(env).active);
  const now = useNow(active);
  const selected = model.selected;
  return (
    <div className="orchest-lab-EnvironmentsView">
      <ProjectPicker model={model} />
      {model.error && (
        <div className="orchest-lab-Panel-error" role="alert">
          {model.error}
        </div>
      )}
      <div className="orchest-lab-EnvironmentsView-body">
        <div className="orchest-lab-EnvironmentsView-list">
          <NewEnvironment model={model} />
          {model.project === null && (
            <p className="orchest-lab-Panel-empty">
              Choose a project: a folder with a pipeline and its .orchest/
              folder.
            </p>
          )}
          {model.status === 'loading' && model.environments.length === 0 && (
            <p className="orchest-lab-Panel-empty">Loading environments…</p>
          )}
          {model.status === 'ready' && model.environments.length === 0 && (
            <p className="orchest-lab-Panel-empty">
              This project has no environments yet.
            </p>
          )}
          <ul
            className="orchest-lab-EnvironmentList"
            role="listbox"
            aria-label="Environments"
          >
            {model.environments.map(env => (
              <EnvironmentItem
                key={env.uuid}
                model={model}
                env={env}
                selected={env.uuid === selected?.uuid}
                now={now}
              />
            ))}
          </ul>
        </div>
        {selected ? (
          <EnvironmentDetails
            key={selected.uuid}
            model={model}
            env={selected}
            actions={actions}
            now={now}
          />
        ) : (
          <div className="orchest-lab-EnvironmentDetails orchest-lab-Panel-empty">
            Select an environment, or create one.
          </div>
        )}
      </div>
    </div>
  );
}
