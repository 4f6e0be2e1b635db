/**
 * Server calls under way on items (environments, by uuid): one action at a
 * time per item, and the message of the last one that failed.
 */
import { errorMessage } from './errorMessage';

/** The actions under way on items, and their errors. */
export class PendingActions<Action extends string> {
  /** @param onChange called whenever an action starts or ends. */
  constructor(private readonly _onChange: () => void) {}

  /** What is being done to an item, or null. */
  get(key: string): Action | null {
    return this._actions.get(key) ?? null;
  }

  /** Why the last action on an item failed. */
  error(key: string): string | null {
    return this._errors.get(key) ?? null;
  }

  /** Forget an item's error. */
  clearError(key: string): void {
    this._errors.delete(key);
  }

  /** Forget everything (another set of items is shown). */
  clear(): void {
    this._actions.clear();
    this._errors.clear();
  }

  /**
   * Run `call` as `action` on the item; its result, or null when it failed
   * (the error is kept unless `keepError` says the item is gone).
   */
  async run<T>(
    key: string,
    action: Action,
    call: () => Promise<T>,
    keepError: () => boolean = () => true
  ): Promise<T | null> {
    this._actions.set(key, action);
    this._errors.delete(key);
    this._onChange();
    try {
      return await call();
    } catch (reason) {
      if (keepError()) {
        this._errors.set(key, errorMessage(reason));
      }
      return null;
    } finally {
      if (this._actions.get(key) === action) {
        this._actions.delete(key);
      }
      this._onChange();
    }
  }

  private _actions = new Map<string, Action>();
  private _errors = new Map<string, string>();
}
