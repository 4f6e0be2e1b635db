/**
 * The "Create Job" dialog: JupyterLab's Dialog around the React form of a
 * {@link JobDraft}. Its Create button sends the request and closes the
 * dialog only once the job is made: when the server refuses, the dialog
 * stays open with the message at the field at fault and every field as
 * entered.
 */
import { Dialog } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import React from 'react';

import type { IJob } from '../api/jobTypes';
import { CreateJobForm } from '../components/CreateJobForm';
import { JobDraft } from '../model/JobDraft';
import { baseName } from '../model/paths';

/** The form in the dialog; its value is the job made. */
class CreateJobBody
  extends ReactWidget
  implements Dialog.IBodyWidget<IJob | null>
{
  constructor(readonly draft: JobDraft) {
    super();
    this.addClass('orchest-lab-CreateJobBody');
  }

  /** The job made, once the server made it. */
  job: IJob | null = null;

  getValue(): IJob | null {
    return this.job;
  }

  protected render(): JSX.Element {
    return React.createElement(CreateJobForm, { draft: this.draft });
  }
}

/** A dialog whose accept button submits the draft and waits for the answer. */
class CreateJobDialog extends Dialog<IJob | null> {
  constructor(body: CreateJobBody, title: string) {
    super({
      title,
      body,
      buttons: [
        Dialog.cancelButton(),
        Dialog.okButton({ label: 'Create Job', ariaLabel: 'Create Job' })
      ],
      focusNodeSelector: 'input'
    });
    this._form = body;
    this.addClass('orchest-lab-CreateJobDialog');
  }

  resolve(index?: number): void {
    const accept = (index ?? CREATE) === CREATE;
    if (!accept) {
      super.resolve(index);
      return;
    }
    if (this._form.draft.submitting) {
      return;
    }
    const button = this.node.querySelector<HTMLButtonElement>('.jp-mod-accept');
    if (button) {
      button.disabled = true;
    }
    void this._form.draft.submit().then(job => {
      if (button) {
        button.disabled = false;
      }
      if (job) {
        this._form.job = job;
        super.resolve(CREATE);
      } else {
        this._showFirstError();
      }
    });
  }

  /** Bring the first field at fault into view. */
  private _showFirstError(): void {
    requestAnimationFrame(() => {
      const error = this.node.querySelector<HTMLElement>(
        '.orchest-lab-FieldError, .orchest-lab-CreateJobForm > .orchest-lab-Panel-error'
      );
      error?.scrollIntoView({ block: 'nearest' });
      const field = error
        ?.closest('.orchest-lab-JobField, tr, .orchest-lab-JobEnv-row')
        ?.querySelector<HTMLInputElement>('input');
      field?.focus();
    });
  }

  private _form: CreateJobBody;
}

/** The index of the Create button. */
const CREATE = 1;

/**
 * Show the dialog for a draft; resolves with the job made, or null when the
 * user cancelled. The draft is disposed of when the dialog closes.
 */
export async function showCreateJobDialog(
  draft: JobDraft
): Promise<IJob | null> {
  const body = new CreateJobBody(draft);
  const dialog = new CreateJobDialog(
    body,
    `Create Job of ${baseName(draft.pipelinePath)}`
  );
  try {
    const result = await dialog.launch();
    return result.button.accept ? result.value : null;
  } finally {
    draft.dispose();
  }
}
