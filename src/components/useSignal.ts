/**
 * React hook: re-render a component whenever a Lumino signal is emitted.
 */
import { ISignal } from '@lumino/signaling';
import { useLayoutEffect, useState } from 'react';

/** Re-render on every emission of `signal`; returns a change counter. */
export function useSignal(signal: ISignal<unknown, unknown>): number {
  const [version, setVersion] = useState(0);
  // A layout effect runs in the task that committed the render, a passive one
  // (useEffect) later: an emission in between (a server answer) was lost, and
  // the component kept showing the state it rendered ("Validating…").
  useLayoutEffect(() => {
    const onEmit = () => setVersion(value => value + 1);
    signal.connect(onEmit);
    return () => {
      signal.disconnect(onEmit);
    };
  }, [signal]);
  return version;
}
