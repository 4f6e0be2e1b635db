/**
 * React hook: re-render a component whenever a Lumino signal is emitted.
 */
import { ISignal } from '@lumino/signaling';
import { useEffect, useState } from 'react';

/** Re-render on every emission of `signal`; returns a change counter. */
export function useSignal(signal: ISignal<unknown, unknown>): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const onEmit = () => setVersion(value => value + 1);
    signal.connect(onEmit);
    return () => {
      signal.disconnect(onEmit);
    };
  }, [signal]);
  return version;
}
