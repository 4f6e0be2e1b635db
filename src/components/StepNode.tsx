/**
 * A step of the pipeline drawn as a graph node: file-type icon, title, file,
 * and a red/amber decoration with a tooltip when validation found issues.
 */
import { Handle, Node, NodeProps, Position } from '@xyflow/react';
import React, { memo } from 'react';

import type { IIssue, Severity } from '../api';
import { stepFileKind } from '../icons';
import { displayMessage } from '../model/issues';

/** What a step node renders. */
export interface IStepNodeData extends Record<string, unknown> {
  title: string;
  filePath: string;
  /** Validation issues about this step. */
  issues: readonly IIssue[];
  /** The worst severity among `issues`. */
  severity: Severity | null;
}

/** The React Flow node type of steps. */
export type StepNodeType = Node<IStepNodeData, 'step'>;

/** Tooltip text of a step: its issues, or its file. */
export function stepTooltip(data: IStepNodeData, kindLabel: string): string {
  const header = `${data.title}\n${kindLabel}: ${data.filePath || '(no file)'}`;
  if (data.issues.length === 0) {
    return header;
  }
  const lines = data.issues.map(
    issue =>
      `${issue.severity === 'error' ? 'Error' : 'Warning'}: ${displayMessage(issue.message)}`
  );
  return `${header}\n\n${lines.join('\n')}`;
}

function StepNodeComponent({ id, data, selected }: NodeProps<StepNodeType>) {
  const kind = stepFileKind(data.filePath);
  const classes = ['orchest-lab-StepNode'];
  if (data.severity) {
    classes.push(`orchest-lab-StepNode--${data.severity}`);
  }
  if (selected) {
    classes.push('orchest-lab-mod-selected');
  }
  const fileName = data.filePath ? data.filePath.split('/').pop() : '';
  return (
    <div
      className={classes.join(' ')}
      data-step-uuid={id}
      title={stepTooltip(data, kind.label)}
      aria-label={`Step ${data.title}`}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <kind.icon.react
        tag="span"
        className="orchest-lab-StepNode-icon"
        elementSize="large"
        aria-label={kind.label}
      />
      <div className="orchest-lab-StepNode-text">
        <div className="orchest-lab-StepNode-title">{data.title}</div>
        <div className="orchest-lab-StepNode-file">{fileName || 'no file'}</div>
      </div>
      {data.severity && (
        <span
          className={`orchest-lab-StepNode-badge orchest-lab-StepNode-badge--${data.severity}`}
          aria-label={`${data.issues.length} ${data.severity === 'error' ? 'error(s)' : 'warning(s)'}`}
        >
          {data.issues.length}
        </span>
      )}
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}

/** The step node component (memoized: React Flow re-renders nodes often). */
export const StepNode = memo(StepNodeComponent);
