/**
 * The build log of one environment as the Environments panel shows it: read
 * from its start and followed while the build runs, without terminal escape
 * codes.
 */
import { EscapeStripper } from './buildState';

/** Streams a log: `onText` gets each piece until it ends or `signal` aborts. */
export type LogFollower = (
  onText: (text: string) => void,
  signal: AbortSignal
) => Promise<void>;

/** A followed build log. */
export class BuildLog {
  /**
   * Start following: `onText` gets each printable piece, `onChange` is
   * called on every change (text, end, error).
   */
  constructor(options: {
    uuid: string;
    follow: LogFollower;
    onText?: (text: string) => void;
    onChange: () => void;
  }) {
    this.uuid = options.uuid;
    const stripper = new EscapeStripper();
    const live = () => !this._abort.signal.aborted;
    options
      .follow(piece => {
        const text = stripper.push(piece);
        if (live() && text) {
          this._text += text;
          options.onText?.(text);
          options.onChange();
        }
      }, this._abort.signal)
      .catch(reason => {
        if (live()) {
          const detail = reason instanceof Error ? reason.message : reason;
          this._error = `Could not read the build log: ${detail}`;
        }
      })
      .then(() => {
        if (live()) {
          this._following = false;
          options.onChange();
        }
      });
  }

  /** The environment whose latest build this is. */
  readonly uuid: string;

  /** The text so far. */
  get text(): string {
    return this._text;
  }

  /** Whether the server still streams it (the build runs). */
  get following(): boolean {
    return this._following;
  }

  /** Why it could not be read. */
  get error(): string | null {
    return this._error;
  }

  /** Stop following (nothing changes any more). */
  stop(): void {
    this._abort.abort();
  }

  private _text = '';
  private _following = true;
  private _error: string | null = null;
  private _abort = new AbortController();
}
