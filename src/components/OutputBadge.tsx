/**
 * The badge of a step that has a stored output: what it passed on, at a
 * glance, and a click away from its preview (also for steps with no
 * connection leaving them).
 */
import React from 'react';

import type { IOutputLabel } from '../model/DataOutputsModel';

/** Properties of {@link OutputBadge}. */
export interface IOutputBadgeProps {
  step: string;
  /** The step's title. */
  title: string;
  output: IOutputLabel;
  onOpen?: (step: string) => void;
}

/** A step's output badge. */
export function OutputBadge(props: IOutputBadgeProps): JSX.Element {
  const { step, title, output, onOpen } = props;
  return (
    <button
      type="button"
      // nodrag/nopan: a click on the badge must not start moving the node.
      className={`orchest-lab-OutputBadge nodrag nopan${output.stale ? ' orchest-lab-mod-stale' : ''}`}
      title={output.description}
      aria-label={`Preview the data passed by ${title}`}
      onClick={event => {
        event.stopPropagation();
        onOpen?.(step);
      }}
      onDoubleClick={event => event.stopPropagation()}
    >
      data
    </button>
  );
}
