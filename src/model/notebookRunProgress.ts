/**
 * What a notebook that is a pipeline step says while a run that includes it
 * executes the steps before it ("Run up to step" runs its ancestors first):
 * which steps run now and how far the run is, until its own cells run (from
 * then on they fill in live and say it themselves).
 */
import { IRunState, isActive, isEnded } from './runState';

/** A step of a pipeline, as the notebook knows its own steps. */
export interface IStepRef {
  pipelinePath: string;
  uuid: string;
}

/** The progress line of a notebook, and the run it is about. */
export interface INotebookRunProgress {
  runId: string;
  text: string;
}

/** Quoted titles: 'A', 'B' and 2 more. */
function titles(names: string[]): string {
  const quoted = names.map(name => `'${name}'`);
  return quoted.length <= 2
    ? quoted.join(', ')
    : `${quoted.slice(0, 2).join(', ')} and ${quoted.length - 2} more`;
}

/**
 * The progress of `run` for a notebook that is `step` of it, or null when
 * there is nothing to say: the run does not include the step, ended, or the
 * step itself already runs (or ended).
 */
export function runProgressFor(
  run: IRunState,
  step: IStepRef
): INotebookRunProgress | null {
  if (run.pipelinePath !== step.pipelinePath || !isActive(run)) {
    return null;
  }
  const own = run.steps[step.uuid];
  if (!own || own.status !== 'PENDING') {
    return null;
  }
  const order = run.stepOrder.length ? run.stepOrder : Object.keys(run.steps);
  const total = Math.max(run.progress.total, order.length);
  const done = Math.max(
    run.progress.done,
    order.filter(uuid => isEnded(run.steps[uuid].status)).length
  );
  const running = order
    .map(uuid => run.steps[uuid])
    .filter(s => s.status === 'STARTED')
    .map(s => s.title || s.uuid);
  const what = running.length
    ? `running ${titles(running)}`
    : 'waiting for the steps before this one';
  return {
    runId: run.id,
    text: `Pipeline run: ${what} (${done} of ${total} steps done)`
  };
}

/** The first active run that includes one of the notebook's steps, with its progress. */
export function notebookRunProgress(
  runs: readonly IRunState[],
  steps: readonly IStepRef[]
): INotebookRunProgress | null {
  for (const run of runs) {
    for (const step of steps) {
      const progress = runProgressFor(run, step);
      if (progress) {
        return progress;
      }
    }
  }
  return null;
}
