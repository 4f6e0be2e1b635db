/**
 * The pipeline's environment variables as an editable table of names and
 * values; rows with an invalid or repeated name are flagged and not saved.
 */
import React, { useEffect, useState } from 'react';

import { envVariableProblem } from '../../model/edits';

interface IRow {
  name: string;
  value: string;
}

function toRows(variables: Record<string, string>): IRow[] {
  return Object.entries(variables).map(([name, value]) => ({
    name,
    value: String(value)
  }));
}

/** Why a row cannot be saved, or null. */
function rowProblem(rows: readonly IRow[], index: number): string | null {
  const name = rows[index].name;
  const problem = envVariableProblem(name);
  if (problem) {
    return problem;
  }
  return rows.findIndex(row => row.name === name) !== index
    ? `'${name}' is set twice`
    : null;
}

/** Properties of {@link EnvVariablesField}. */
export interface IEnvVariablesFieldProps {
  value: Record<string, string>;
  onCommit: (value: Record<string, string>) => void;
}

/** The environment variables editor. */
export function EnvVariablesField(props: IEnvVariablesFieldProps): JSX.Element {
  const key = JSON.stringify(props.value);
  const [rows, setRows] = useState<IRow[]>(() => toRows(props.value));
  useEffect(() => setRows(toRows(props.value)), [key]);
  const problems = rows.map((_, index) => rowProblem(rows, index));

  const commit = (next: IRow[]) => {
    const ok = next.every((_, index) => rowProblem(next, index) === null);
    if (!ok) {
      return;
    }
    const variables: Record<string, string> = {};
    for (const row of next) {
      variables[row.name] = row.value;
    }
    if (JSON.stringify(variables) !== key) {
      props.onCommit(variables);
    }
  };
  const update = (index: number, patch: Partial<IRow>) =>
    setRows(rows.map((row, i) => (i === index ? { ...row, ...patch } : row)));

  return (
    <div className="orchest-lab-EnvVariables">
      {rows.length === 0 && (
        <div className="orchest-lab-Field-hint">No variables.</div>
      )}
      {rows.map((row, index) => (
        <div className="orchest-lab-EnvVariables-row" key={index}>
          <input
            className={`jp-mod-styled orchest-lab-Input${problems[index] && row.name ? ' orchest-lab-mod-invalid' : ''}`}
            value={row.name}
            placeholder="NAME"
            aria-label="Variable name"
            title={problems[index] ?? ''}
            onChange={event => update(index, { name: event.target.value })}
            onBlur={() => commit(rows)}
          />
          <input
            className="jp-mod-styled orchest-lab-Input"
            value={row.value}
            placeholder="value"
            aria-label="Variable value"
            onChange={event => update(index, { value: event.target.value })}
            onBlur={() => commit(rows)}
          />
          <button
            className="jp-Button jp-mod-minimal orchest-lab-EnvVariables-remove"
            title={`Remove ${row.name || 'this variable'}`}
            aria-label="Remove variable"
            onClick={() => {
              const next = rows.filter((_, i) => i !== index);
              setRows(next);
              commit(next);
            }}
          >
            ×
          </button>
        </div>
      ))}
      {problems.some((problem, index) => problem && rows[index].name) && (
        <div className="orchest-lab-Field-error" role="alert">
          {problems.find((problem, index) => problem && rows[index].name)}
        </div>
      )}
      <button
        className="jp-Button jp-mod-styled jp-mod-reject orchest-lab-EnvVariables-add"
        onClick={() => setRows([...rows, { name: '', value: '' }])}
      >
        Add variable
      </button>
    </div>
  );
}
