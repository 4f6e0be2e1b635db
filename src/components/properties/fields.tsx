/**
 * Form fields of the properties panel: a text input that commits on Enter
 * or when it loses focus, and a JSON object editor that validates as you
 * type and applies only valid objects.
 */
import React, { useEffect, useState } from 'react';

import { parseJSONObject } from '../../model/edits';

/** A labelled row of the properties panel. */
export function Field(props: {
  label: string;
  htmlFor?: string;
  children: React.ReactNode;
  hint?: string;
}): JSX.Element {
  return (
    <div className="orchest-lab-Field">
      <label className="orchest-lab-Field-label" htmlFor={props.htmlFor}>
        {props.label}
      </label>
      {props.children}
      {props.hint && <div className="orchest-lab-Field-hint">{props.hint}</div>}
    </div>
  );
}

/** Properties of {@link CommittedInput}. */
export interface ICommittedInputProps {
  id?: string;
  value: string;
  onCommit: (value: string) => void;
  /** Returns why a value cannot be committed, or null. */
  validate?: (value: string) => string | null;
  placeholder?: string;
  type?: 'text' | 'number';
  ariaLabel?: string;
  className?: string;
}

/**
 * A text input whose value is committed on Enter or blur (not on every key,
 * each commit being an edit of the document); Escape restores it.
 */
export function CommittedInput(props: ICommittedInputProps): JSX.Element {
  const [draft, setDraft] = useState(props.value);
  useEffect(() => setDraft(props.value), [props.value]);
  const problem = props.validate ? props.validate(draft) : null;
  const commit = () => {
    if (draft !== props.value && problem === null) {
      props.onCommit(draft);
    }
  };
  return (
    <>
      <input
        id={props.id}
        className={`jp-mod-styled orchest-lab-Input ${props.className ?? ''}${problem ? ' orchest-lab-mod-invalid' : ''}`}
        type={props.type ?? 'text'}
        value={draft}
        placeholder={props.placeholder}
        aria-label={props.ariaLabel}
        aria-invalid={problem !== null}
        onChange={event => setDraft(event.target.value)}
        onBlur={commit}
        onKeyDown={event => {
          if (event.key === 'Enter') {
            commit();
          } else if (event.key === 'Escape') {
            setDraft(props.value);
          }
        }}
      />
      {problem && (
        <div className="orchest-lab-Field-error" role="alert">
          {problem}
        </div>
      )}
    </>
  );
}

/** Properties of {@link JSONObjectField}. */
export interface IJSONObjectFieldProps {
  id?: string;
  value: Record<string, unknown>;
  onCommit: (value: Record<string, unknown>) => void;
  ariaLabel?: string;
}

function format(value: Record<string, unknown>): string {
  return Object.keys(value).length === 0
    ? '{}'
    : JSON.stringify(value, null, 2);
}

/**
 * A JSON object editor: says at once when the text is not a JSON object,
 * and applies it (on blur, Ctrl/Cmd+Enter or "Apply") only when it is.
 */
export function JSONObjectField(props: IJSONObjectFieldProps): JSX.Element {
  const formatted = format(props.value);
  const [draft, setDraft] = useState(formatted);
  useEffect(() => setDraft(formatted), [formatted]);
  const parsed = parseJSONObject(draft);
  const changed =
    parsed.ok && JSON.stringify(parsed.value) !== JSON.stringify(props.value);
  const commit = () => {
    if (parsed.ok && changed) {
      props.onCommit(parsed.value);
    }
  };
  return (
    <div className="orchest-lab-JSONField">
      <textarea
        id={props.id}
        className={`jp-mod-styled orchest-lab-JSONField-text${parsed.ok ? '' : ' orchest-lab-mod-invalid'}`}
        value={draft}
        spellCheck={false}
        rows={Math.min(12, Math.max(3, draft.split('\n').length))}
        aria-label={props.ariaLabel}
        aria-invalid={!parsed.ok}
        onChange={event => setDraft(event.target.value)}
        onBlur={commit}
        onKeyDown={event => {
          if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
            event.preventDefault();
            commit();
          } else if (event.key === 'Escape') {
            setDraft(formatted);
          }
        }}
      />
      <div className="orchest-lab-JSONField-footer">
        {parsed.ok ? (
          <span className="orchest-lab-JSONField-status">
            {changed ? 'Valid JSON, not applied yet' : 'Valid JSON'}
          </span>
        ) : (
          <span className="orchest-lab-Field-error" role="alert">
            {parsed.error}
          </span>
        )}
        <button
          className="jp-Button jp-mod-styled jp-mod-accept orchest-lab-JSONField-apply"
          disabled={!parsed.ok || !changed}
          onMouseDown={event => event.preventDefault()}
          onClick={commit}
        >
          Apply
        </button>
      </div>
    </div>
  );
}
