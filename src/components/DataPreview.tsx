/**
 * The preview of what a step passes on: schema and first rows of a table,
 * shape, dtype and a slice of an array, the repr of other objects; read by
 * the server (`GET pipelines/data/preview`), shown in a dialog.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import React, { useEffect, useState } from 'react';

import type { IDataPreview } from '../api/dataTypes';
import { formatBytes } from '../model/DataOutputsModel';
import { errorMessage } from '../model/errorMessage';

/** Properties of {@link DataPreview}. */
export interface IDataPreviewProps {
  /** Reads the preview (once, when shown). */
  load: () => Promise<IDataPreview>;
}

/** The preview, loaded when shown. */
export function DataPreview(props: IDataPreviewProps): JSX.Element {
  const [preview, setPreview] = useState<IDataPreview | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    props.load().then(
      value => live && setPreview(value),
      reason => live && setFailure(errorMessage(reason))
    );
    return () => {
      live = false;
    };
  }, [props.load]);

  if (failure !== null) {
    return (
      <div className="orchest-lab-DataPreview" role="alert">
        {failure}
      </div>
    );
  }
  if (preview === null) {
    return (
      <div className="orchest-lab-DataPreview" aria-busy="true">
        Reading the data…
      </div>
    );
  }
  return (
    <div className="orchest-lab-DataPreview" data-kind={preview.kind}>
      <PreviewFacts preview={preview} />
      <PreviewContent preview={preview} />
    </div>
  );
}

function PreviewFacts({ preview }: { preview: IDataPreview }): JSX.Element {
  const shape = preview.shape ? preview.shape.join(' × ') : null;
  return (
    <dl className="orchest-lab-DataPreview-facts">
      <dt>Name</dt>
      <dd>{preview.name ?? 'unnamed'}</dd>
      <dt>Type</dt>
      <dd>
        {preview.type}
        {preview.summary?.class ? ` (${preview.summary.class})` : ''}
      </dd>
      {shape && (
        <>
          <dt>Shape</dt>
          <dd>{shape}</dd>
        </>
      )}
      <dt>Size</dt>
      <dd>
        {formatBytes(preview.bytes)} in {preview.transport}
      </dd>
      <dt>Up to date</dt>
      <dd className={preview.up_to_date ? '' : 'orchest-lab-mod-stale'}>
        {preview.up_to_date
          ? 'yes'
          : 'no: the step or its inputs changed since it wrote this'}
      </dd>
    </dl>
  );
}

function PreviewContent({ preview }: { preview: IDataPreview }): JSX.Element {
  switch (preview.kind) {
    case 'table':
      return <PreviewTable preview={preview} />;
    case 'array':
      return (
        <>
          <p className="orchest-lab-DataPreview-note">
            dtype {preview.dtype}; the first {preview.rows_shown} entries:
          </p>
          <pre className="orchest-lab-DataPreview-text">{preview.slice}</pre>
        </>
      );
    case 'object':
      return <pre className="orchest-lab-DataPreview-text">{preview.repr}</pre>;
    default:
      return (
        <p className="orchest-lab-DataPreview-error" role="alert">
          No preview: {preview.error}
        </p>
      );
  }
}

function PreviewTable({ preview }: { preview: IDataPreview }): JSX.Element {
  const columns = preview.columns ?? [];
  const rows = preview.rows ?? [];
  const index = preview.index ?? null;
  const total = preview.shape?.[0] ?? rows.length;
  const allColumns = preview.shape?.[1] ?? columns.length;
  return (
    <>
      <p className="orchest-lab-DataPreview-note">
        The first {rows.length} of {total} rows
        {columns.length < allColumns
          ? `, the first ${columns.length} of ${allColumns} columns`
          : ''}
        .
      </p>
      <div className="orchest-lab-DataPreview-tableWrap">
        <table className="orchest-lab-DataPreview-table">
          <thead>
            <tr>
              {index && <th />}
              {columns.map((column, i) => (
                <th key={i} scope="col">
                  <span className="orchest-lab-DataPreview-column">
                    {column.name}
                  </span>
                  <span className="orchest-lab-DataPreview-dtype">
                    {column.dtype}
                  </span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row, r) => (
              <tr key={r}>
                {index && <th scope="row">{index[r]}</th>}
                {row.map((cell, c) => (
                  <td key={c}>{cell}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** Show the preview of a step's output in a dialog. */
export async function showDataPreview(
  title: string,
  load: () => Promise<IDataPreview>
): Promise<void> {
  await showDialog({
    title: `Data passed by '${title}'`,
    body: <DataPreview load={load} />,
    buttons: [Dialog.okButton({ label: 'Close' })]
  });
}
