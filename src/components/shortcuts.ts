/**
 * Keyboard shortcuts on the canvas. The canvas carries
 * `data-lm-suppress-shortcuts`, so JupyterLab's keymap never takes keys
 * (Delete, arrows, Ctrl+A, ...) from the graph. The canvas then forwards
 * each key it did not use itself to an element outside that area, where
 * JupyterLab's keymap sees it: the editor's own shortcuts (bound to that
 * element) and the global ones (Ctrl+S, the palette) work there.
 */

/** Keys that are never shortcuts on their own. */
const MODIFIERS = new Set(['Shift', 'Control', 'Alt', 'Meta', 'CapsLock']);

/**
 * Re-dispatch a keydown event on `target`. If a shortcut handled it, the
 * original event is cancelled too (so the browser does not also act on it).
 */
export function forwardShortcut(
  event: KeyboardEvent,
  target: HTMLElement
): void {
  if (event.defaultPrevented || MODIFIERS.has(event.key)) {
    return;
  }
  const element = event.target as Element | null;
  if (element?.closest('input, textarea, select, [contenteditable="true"]')) {
    return;
  }
  const copy = new KeyboardEvent('keydown', {
    key: event.key,
    code: event.code,
    location: event.location,
    ctrlKey: event.ctrlKey,
    shiftKey: event.shiftKey,
    altKey: event.altKey,
    metaKey: event.metaKey,
    repeat: event.repeat,
    bubbles: true,
    cancelable: true
  });
  // Lumino's keyboard layouts read the legacy key codes, which the
  // KeyboardEvent constructor cannot set.
  Object.defineProperty(copy, 'keyCode', { get: () => event.keyCode });
  Object.defineProperty(copy, 'which', { get: () => event.which });
  target.dispatchEvent(copy);
  if (copy.defaultPrevented) {
    event.preventDefault();
    event.stopPropagation();
  }
}
