/**
 * Pieces of the "Create Job" form shared by its sections: a labelled field
 * with the error the draft has for it, and the schedule section (now, at a
 * time, or cron in a time zone, with the next times the server computes).
 */
import React, { useMemo } from 'react';

import { JobDraft } from '../model/JobDraft';
import { knownTimeZones } from '../model/jobForm';
import { formatTime } from '../model/jobFormat';

/** The error the draft has for a field, under it. */
export function FieldError(props: {
  draft: JobDraft;
  field: string;
}): JSX.Element | null {
  const error = props.draft.error(props.field);
  if (!error) {
    return null;
  }
  return (
    <div
      className="orchest-lab-FieldError"
      role="alert"
      data-field={props.field}
    >
      {error}
    </div>
  );
}

/** A labelled input of the form. */
export function Field(props: {
  draft: JobDraft;
  /** The error field (see `JobDraft.error`). */
  field: string;
  label: string;
  hint?: string;
  children: React.ReactElement;
}): JSX.Element {
  const invalid = props.draft.error(props.field) !== null;
  return (
    <div
      className="orchest-lab-JobField"
      data-field={props.field}
      data-invalid={invalid ? 'true' : 'false'}
    >
      <label className="orchest-lab-JobField-label">
        <span>{props.label}</span>
        {React.cloneElement(props.children, {
          'aria-invalid': invalid ? 'true' : undefined
        })}
      </label>
      {props.hint && (
        <div className="orchest-lab-JobField-hint">{props.hint}</div>
      )}
      <FieldError draft={props.draft} field={props.field} />
    </div>
  );
}

/** When the job runs, and the next times of its schedule. */
export function ScheduleSection(props: { draft: JobDraft }): JSX.Element {
  const { draft } = props;
  const kind = draft.scheduleKind;
  const zones = useMemo(() => knownTimeZones(), []);
  const preview = draft.preview;
  const localZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return (
    <fieldset className="orchest-lab-JobSection orchest-lab-JobSchedule">
      <legend>Schedule</legend>
      <div className="orchest-lab-JobSchedule-kinds" role="radiogroup">
        {(
          [
            ['now', 'Now'],
            ['at', 'At a date and time'],
            ['cron', 'On a cron schedule']
          ] as const
        ).map(([value, label]) => (
          <label key={value} className="orchest-lab-Checkbox">
            <input
              type="radio"
              name="orchest-lab-job-schedule"
              value={value}
              checked={kind === value}
              onChange={() => draft.setScheduleKind(value)}
            />
            {label}
          </label>
        ))}
      </div>
      {kind === 'now' && (
        <div className="orchest-lab-JobField-hint">
          The job runs once, as soon as it is made.
        </div>
      )}
      {kind === 'at' && (
        <Field
          draft={draft}
          field="schedule.at"
          label="Date and time (your time zone)"
        >
          <input
            type="datetime-local"
            className="jp-mod-styled"
            value={draft.text('at')}
            onChange={e => draft.setText('at', e.target.value)}
          />
        </Field>
      )}
      {kind === 'cron' && (
        <div className="orchest-lab-JobSchedule-cron">
          <Field
            draft={draft}
            field="schedule.cron"
            label="Cron expression"
            hint="minute hour day month weekday, e.g. 0 3 * * * for every day at 03:00"
          >
            <input
              type="text"
              className="jp-mod-styled"
              spellCheck={false}
              value={draft.text('cron')}
              onChange={e => draft.setText('cron', e.target.value)}
            />
          </Field>
          <Field draft={draft} field="schedule.timezone" label="Time zone">
            <input
              type="text"
              className="jp-mod-styled"
              list="orchest-lab-time-zones"
              spellCheck={false}
              value={draft.text('timezone')}
              onChange={e => draft.setText('timezone', e.target.value)}
            />
          </Field>
          <datalist id="orchest-lab-time-zones">
            {zones.map(zone => (
              <option key={zone} value={zone} />
            ))}
          </datalist>
        </div>
      )}
      {kind !== 'now' && (
        <div
          className="orchest-lab-SchedulePreview"
          data-loading={preview.loading ? 'true' : 'false'}
          aria-live="polite"
        >
          {preview.error ? (
            <div className="orchest-lab-FieldError" role="alert">
              {preview.error}
            </div>
          ) : preview.times.length > 0 ? (
            <>
              <div className="orchest-lab-JobField-hint">
                {kind === 'cron' ? 'Next runs' : 'Runs'}, in your time zone (
                {localZone}):
              </div>
              <ol className="orchest-lab-SchedulePreview-times">
                {preview.times.map(time => (
                  <li key={time} data-time={time}>
                    {formatTime(time)}
                  </li>
                ))}
              </ol>
            </>
          ) : (
            <div className="orchest-lab-JobField-hint">
              {preview.loading ? 'Computing the next runs…' : ''}
            </div>
          )}
        </div>
      )}
    </fieldset>
  );
}
