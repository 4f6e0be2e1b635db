/**
 * The "Create Job" form: name, schedule, parameters and their combinations,
 * environment variables, retention and the failure webhook. It renders a
 * {@link JobDraft}, which holds the state and the errors.
 */
import { closeIcon } from '@jupyterlab/ui-components';
import React from 'react';

import { JobDraft } from '../model/JobDraft';
import { Field, FieldError, ScheduleSection } from './JobFields';
import { ParametersSection } from './JobParameters';
import { useSignal } from './useSignal';

/** The environment variables of the job's runs. */
function EnvSection(props: { draft: JobDraft }): JSX.Element {
  const { draft } = props;
  return (
    <fieldset className="orchest-lab-JobSection orchest-lab-JobEnv">
      <legend>Environment variables</legend>
      <div className="orchest-lab-JobField-hint">
        Given to every step of the job's runs, over the pipeline's own.
      </div>
      {draft.envRows.map((row, index) => {
        const field = `env:${index}`;
        const invalid = draft.error(field) !== null;
        return (
          <div
            key={index}
            className="orchest-lab-JobEnv-row"
            data-invalid={invalid ? 'true' : 'false'}
          >
            <input
              type="text"
              className="jp-mod-styled"
              placeholder="NAME"
              spellCheck={false}
              aria-label={`Name of variable ${index + 1}`}
              aria-invalid={invalid ? 'true' : undefined}
              value={row.name}
              onChange={e =>
                draft.setEnvRow(index, { ...row, name: e.target.value })
              }
            />
            <input
              type="text"
              className="jp-mod-styled"
              placeholder="value"
              spellCheck={false}
              aria-label={`Value of variable ${index + 1}`}
              value={row.value}
              onChange={e =>
                draft.setEnvRow(index, { ...row, value: e.target.value })
              }
            />
            <button
              type="button"
              className="jp-Button jp-mod-minimal"
              title="Remove this variable"
              aria-label={`Remove variable ${index + 1}`}
              onClick={() => draft.removeEnvRow(index)}
            >
              <closeIcon.react tag="span" />
            </button>
            <FieldError draft={draft} field={field} />
          </div>
        );
      })}
      <button
        type="button"
        className="jp-Button jp-mod-minimal orchest-lab-LinkButton"
        onClick={() => draft.addEnvRow()}
      >
        Add variable
      </button>
      <FieldError draft={draft} field="env" />
    </fieldset>
  );
}

/** Retention and the failure webhook. */
function SettingsSection(props: { draft: JobDraft }): JSX.Element {
  const { draft } = props;
  return (
    <fieldset className="orchest-lab-JobSection orchest-lab-JobSettings">
      <legend>Runs and failures</legend>
      <Field
        draft={draft}
        field="max_retained_runs"
        label="Keep at most this many runs"
        hint="Older ended runs and their files are deleted; empty keeps every run."
      >
        <input
          type="text"
          inputMode="numeric"
          className="jp-mod-styled"
          value={draft.text('maxRetained')}
          onChange={e => draft.setText('maxRetained', e.target.value)}
        />
      </Field>
      <Field
        draft={draft}
        field="webhook.url"
        label="Failure webhook URL"
        hint="Called with a JSON body when a run fails (optional)."
      >
        <input
          type="url"
          className="jp-mod-styled"
          placeholder="https://"
          spellCheck={false}
          value={draft.text('webhookUrl')}
          onChange={e => draft.setText('webhookUrl', e.target.value)}
        />
      </Field>
      <Field
        draft={draft}
        field="webhook.secret"
        label="Webhook secret"
        hint="Signs each call (an HMAC of the body); never shown again."
      >
        <input
          type="password"
          className="jp-mod-styled"
          autoComplete="off"
          value={draft.text('webhookSecret')}
          onChange={e => draft.setText('webhookSecret', e.target.value)}
        />
      </Field>
    </fieldset>
  );
}

/** The whole form. */
export function CreateJobForm(props: { draft: JobDraft }): JSX.Element {
  const { draft } = props;
  useSignal(draft.changed);
  return (
    <div
      className="orchest-lab-CreateJobForm"
      data-submitting={draft.submitting ? 'true' : 'false'}
      data-error-fields={draft.serverErrorFields.join(' ')}
    >
      {draft.formError && (
        <div className="orchest-lab-Panel-error" role="alert">
          {draft.formError}
        </div>
      )}
      <div className="orchest-lab-JobField-hint">
        Pipeline <code>{draft.pipelinePath}</code>: the job runs a snapshot of
        its project as it is now.
      </div>
      <Field draft={draft} field="name" label="Name">
        <input
          type="text"
          className="jp-mod-styled"
          value={draft.text('name')}
          onChange={e => draft.setText('name', e.target.value)}
        />
      </Field>
      <ScheduleSection draft={draft} />
      <ParametersSection draft={draft} />
      <EnvSection draft={draft} />
      <SettingsSection draft={draft} />
    </div>
  );
}
