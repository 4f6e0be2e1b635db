/**
 * A step of the pipeline drawn as a graph node: file-type icon, title, file,
 * a red/amber decoration with a tooltip when validation found issues, and
 * the step's status in the pipeline's latest run (queued, running with the
 * elapsed time, succeeded, failed, skipped, aborted). Connections are drawn
 * from the output handle (right) to an input handle (left).
 */
import { Handle, Node, NodeProps, Position } from '@xyflow/react';
import React, { memo, useEffect, useState } from 'react';

import type { IIssue, Severity } from '../api';
import type { IOutputLabel } from '../model/DataOutputsModel';
import { stepFileKind } from '../icons';
import { displayMessage } from '../model/issues';
import {
  IStepFreshness,
  freshnessKind,
  freshnessLabel
} from '../model/OutputsFreshness';
import {
  IStepRunState,
  elapsedMs,
  formatDuration,
  isEnded,
  statusLabel
} from '../model/runState';
import { OutputBadge } from './OutputBadge';

/** What a step node renders. */
export interface IStepNodeData extends Record<string, unknown> {
  title: string;
  filePath: string;
  /** Validation issues about this step. */
  issues: readonly IIssue[];
  /** The worst severity among `issues`. */
  severity: Severity | null;
  /** The step in the pipeline's latest run, if it is part of it. */
  run: IStepRunState | null;
  /** The step's stored output, and what opens its preview. */
  output?: IOutputLabel | null;
  onOpenOutput?: (uuid: string) => void;
  /** Whether the step's outputs are up to date (null: unknown). */
  freshness?: IStepFreshness | null;
}

/** The React Flow node type of steps. */
export type StepNodeType = Node<IStepNodeData, 'step'>;

/** Tooltip text of a step: its file, its run status, and its issues. */
export function stepTooltip(data: IStepNodeData, kindLabel: string): string {
  const lines = [data.title, `${kindLabel}: ${data.filePath || '(no file)'}`];
  const run = data.run;
  if (run) {
    let status = statusLabel(run.status);
    if (run.failure) {
      status += `: ${run.failure.name}: ${run.failure.message}`;
    } else if (run.reason) {
      status += ` (${run.reason})`;
    }
    lines.push(`Last run: ${status}`);
  }
  if (data.freshness) {
    const kind = freshnessKind(data.freshness);
    lines.push(
      `Outputs: ${freshnessLabel(kind).toLowerCase()}` +
        (kind === 'outdated' && data.freshness.why
          ? ` (${data.freshness.why})`
          : '')
    );
  }
  if (data.issues.length > 0) {
    lines.push('');
    for (const issue of data.issues) {
      lines.push(
        `${issue.severity === 'error' ? 'Error' : 'Warning'}: ${displayMessage(issue.message)}`
      );
    }
  }
  return lines.join('\n');
}

/** The time a running step has been running, ticking every second. */
function Elapsed(props: { startedAt: string | null }): JSX.Element {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return <>{formatDuration(elapsedMs(props.startedAt, null, now))}</>;
}

/**
 * The status line of a node: its run status (with the elapsed time) and
 * whether its outputs are up to date. A step that ran is shown as outdated
 * once its file changes, even though its last run succeeded.
 */
function StatusLine(props: {
  run: IStepRunState | null;
  freshness: IStepFreshness | null;
}): JSX.Element | null {
  const { run, freshness } = props;
  // While the step runs, its outputs' state is about to change: not shown.
  const showFreshness = freshness !== null && (!run || isEnded(run.status));
  if (!run && !showFreshness) {
    return null;
  }
  let detail: React.ReactNode = null;
  if (run?.status === 'STARTED') {
    detail = <Elapsed startedAt={run.startedAt} />;
  } else if (run && isEnded(run.status) && run.startedAt && run.finishedAt) {
    detail = formatDuration(elapsedMs(run.startedAt, run.finishedAt));
  }
  let kind = showFreshness ? freshnessKind(freshness!) : null;
  // "Not run yet" says nothing more than the run's own status.
  if (kind === 'never' && run) {
    kind = null;
  }
  return (
    <div className="orchest-lab-StepNode-status">
      {run && (
        <span
          className={`orchest-lab-StepNode-statusLabel orchest-lab-RunStatus--${run.status.toLowerCase()}`}
        >
          {statusLabel(run.status)}
        </span>
      )}
      {detail !== null && (
        <span className="orchest-lab-StepNode-elapsed">{detail}</span>
      )}
      {kind && (
        <span
          className={`orchest-lab-StepNode-freshness orchest-lab-StepNode-freshness--${kind}`}
        >
          {freshnessLabel(kind)}
        </span>
      )}
    </div>
  );
}

function StepNodeComponent({ id, data, selected }: NodeProps<StepNodeType>) {
  const kind = stepFileKind(data.filePath);
  const classes = ['orchest-lab-StepNode'];
  if (data.severity) {
    classes.push(`orchest-lab-StepNode--${data.severity}`);
  }
  if (data.run) {
    classes.push(`orchest-lab-StepNode--${data.run.status.toLowerCase()}`);
  }
  if (selected) {
    classes.push('orchest-lab-mod-selected');
  }
  const fileName = data.filePath ? data.filePath.split('/').pop() : '';
  const freshness = data.freshness ?? null;
  return (
    <div
      className={classes.join(' ')}
      data-step-uuid={id}
      data-run-status={data.run?.status ?? undefined}
      data-freshness={freshness ? freshnessKind(freshness) : undefined}
      title={stepTooltip(data, kind.label)}
      aria-label={`Step ${data.title}`}
    >
      <Handle
        type="target"
        position={Position.Left}
        className="orchest-lab-StepNode-input"
        aria-label="Input"
      />
      <kind.icon.react
        tag="span"
        className="orchest-lab-StepNode-icon"
        elementSize="large"
        aria-label={kind.label}
      />
      <div className="orchest-lab-StepNode-text">
        <div className="orchest-lab-StepNode-title">{data.title}</div>
        <div className="orchest-lab-StepNode-file">{fileName || 'no file'}</div>
        <StatusLine run={data.run} freshness={freshness} />
      </div>
      {data.severity && (
        <span
          className={`orchest-lab-StepNode-badge orchest-lab-StepNode-badge--${data.severity}`}
          aria-label={`${data.issues.length} ${data.severity === 'error' ? 'error(s)' : 'warning(s)'}`}
        >
          {data.issues.length}
        </span>
      )}
      {data.output && (
        <OutputBadge
          step={id}
          title={data.title}
          output={data.output}
          onOpen={data.onOpenOutput}
        />
      )}
      <Handle
        type="source"
        position={Position.Right}
        className="orchest-lab-StepNode-output"
        aria-label="Output"
      />
    </div>
  );
}

/** The step node component (memoized: React Flow re-renders nodes often). */
export const StepNode = memo(StepNodeComponent);
