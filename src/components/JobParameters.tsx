/**
 * The parameters section of the "Create Job" form: a list of values for
 * each parameter of the pipeline and of its steps (typed as JSON), and the
 * combinations they make, each with a checkbox (all kept at first).
 */
import React from 'react';

import { JobDraft } from '../model/JobDraft';
import { describeCombination, combinationKey } from '../model/jobForm';
import { FieldError } from './JobFields';

/** How many combinations are drawn as checkboxes. */
const SHOWN_COMBINATIONS = 200;

/** The value lists of the parameters. */
export function ParametersSection(props: { draft: JobDraft }): JSX.Element {
  const { draft } = props;
  return (
    <fieldset className="orchest-lab-JobSection orchest-lab-JobParameters">
      <legend>Parameters</legend>
      {draft.axes.length === 0 ? (
        <div className="orchest-lab-JobField-hint">
          The pipeline and its steps have no parameters: the job runs once per
          occurrence.
        </div>
      ) : (
        <>
          <div className="orchest-lab-JobField-hint">
            Values as JSON, separated by commas (0.1, 0.2) or as a list ([1,
            2]); text in quotes ("a", "b"). The job runs every combination.
          </div>
          <table className="orchest-lab-JobParameters-table">
            <thead>
              <tr>
                <th>Of</th>
                <th>Parameter</th>
                <th>Values</th>
              </tr>
            </thead>
            <tbody>
              {draft.axes.map(axis => {
                const field = `param:${axis.key}`;
                const invalid = draft.error(field) !== null;
                return (
                  <tr
                    key={axis.key}
                    data-axis={axis.key}
                    data-invalid={invalid ? 'true' : 'false'}
                  >
                    <td className="orchest-lab-JobParameters-owner">
                      {axis.ownerLabel}
                    </td>
                    <td className="orchest-lab-JobParameters-name">
                      {axis.name}
                    </td>
                    <td>
                      <input
                        type="text"
                        className="jp-mod-styled"
                        spellCheck={false}
                        aria-label={`Values of ${axis.ownerLabel}: ${axis.name}`}
                        aria-invalid={invalid ? 'true' : undefined}
                        value={draft.values(axis.key)}
                        onChange={e =>
                          draft.setValues(axis.key, e.target.value)
                        }
                      />
                      <FieldError draft={draft} field={field} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
      <FieldError draft={draft} field="parameters" />
      <Combinations draft={draft} />
    </fieldset>
  );
}

/** The combinations of the grid, with checkboxes. */
function Combinations(props: { draft: JobDraft }): JSX.Element | null {
  const { draft } = props;
  const list = draft.combinations();
  const axes = draft.gridAxes();
  if (axes === null) {
    return (
      <div className="orchest-lab-JobCombinations" data-count="">
        <div className="orchest-lab-JobField-hint">
          Fix the values above to see the runs they make.
        </div>
      </div>
    );
  }
  const summary = list.tooMany
    ? `${list.count} runs: too many to list, each one runs`
    : `${list.kept} of ${list.count} ${list.count === 1 ? 'run' : 'runs'} selected`;
  const shown = list.all.slice(0, SHOWN_COMBINATIONS);
  return (
    <div
      className="orchest-lab-JobCombinations"
      data-count={list.count}
      data-kept={list.kept}
    >
      <div className="orchest-lab-JobCombinations-header">
        <span className="orchest-lab-JobCombinations-count">{summary}</span>
        {!list.tooMany && list.count > 1 && (
          <>
            <button
              type="button"
              className="jp-Button jp-mod-minimal orchest-lab-LinkButton"
              onClick={() => draft.setAllKept(true)}
            >
              All
            </button>
            <button
              type="button"
              className="jp-Button jp-mod-minimal orchest-lab-LinkButton"
              onClick={() => draft.setAllKept(false)}
            >
              None
            </button>
          </>
        )}
      </div>
      {!list.tooMany && (
        <ul className="orchest-lab-JobCombinations-list">
          {shown.map((combination, index) => {
            const text = describeCombination(combination, axes);
            return (
              <li key={combinationKey(combination)}>
                <label className="orchest-lab-Checkbox">
                  <input
                    type="checkbox"
                    checked={draft.isKept(combination)}
                    onChange={e => draft.setKept(combination, e.target.checked)}
                  />
                  <span className="orchest-lab-JobCombinations-index">
                    {index + 1}.
                  </span>
                  <span>{text}</span>
                </label>
              </li>
            );
          })}
          {list.all.length > shown.length && (
            <li className="orchest-lab-JobField-hint">
              … and {list.all.length - shown.length} more (kept unless unchecked
              with None)
            </li>
          )}
        </ul>
      )}
      <FieldError draft={draft} field="combinations" />
    </div>
  );
}
