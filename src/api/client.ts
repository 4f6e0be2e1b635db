/**
 * The connection to the orchest-lab REST API (`<base_url>/orchest-lab/api/...`):
 * URLs, requests with the server settings (auth, XSRF, base URL), and error
 * answers turned into {@link APIError}s. The route groups (`pipelines`,
 * `runs`, `environments`) build on it.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import type { IIssue, ILogChunk } from './types';
import { errorMessage } from '../model/errorMessage';

/** URL prefix of every route, relative to the server's base URL. */
export const API_NAMESPACE = 'orchest-lab/api';

/** An error answer of the API, or a failure to reach it. */
export class APIError extends Error {
  constructor(
    message: string,
    options: { status?: number; issues?: IIssue[]; url?: string } = {}
  ) {
    super(message);
    this.name = 'APIError';
    this.status = options.status ?? 0;
    this.issues = options.issues ?? [];
    this.url = options.url ?? '';
  }

  /** HTTP status; 0 when the server could not be reached. */
  readonly status: number;
  /** Issues the server attached to the error (e.g. for invalid input). */
  readonly issues: IIssue[];
  /** The URL that was requested. */
  readonly url: string;
}

/**
 * Build the {@link APIError} for a non-2xx response. The body is expected to
 * be `{message, issues?}`; anything else (an HTML error page, an empty body)
 * still gives a readable message.
 */
export async function errorFromResponse(response: Response): Promise<APIError> {
  const status = response.status;
  const url = response.url;
  let body: unknown = null;
  try {
    const text = await response.text();
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  const data =
    typeof body === 'object' && body !== null
      ? (body as Record<string, unknown>)
      : {};
  const issues = Array.isArray(data.issues) ? (data.issues as IIssue[]) : [];
  let message =
    typeof data.message === 'string' && data.message ? data.message : '';
  if (!message) {
    const reason = response.statusText || 'request failed';
    message =
      status === 404
        ? `The orchest-lab server extension did not answer (404 ${reason}). ` +
          'Is it installed and enabled? See `jupyter server extension list`.'
        : `The orchest-lab server answered ${status} ${reason}`;
  }
  return new APIError(message, { status, issues, url });
}

/** Options of {@link APIConnection.request}. */
export interface IRequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Sent as JSON. */
  body?: unknown;
  /** Query string parameters. */
  query?: Record<string, string | number | boolean | undefined>;
  /** Cancels the request. */
  signal?: AbortSignal;
}

/** Requests to the API's routes. */
export class APIConnection {
  constructor(options: { serverSettings?: ServerConnection.ISettings } = {}) {
    this.serverSettings =
      options.serverSettings ?? ServerConnection.makeSettings();
  }

  /** Settings of the Jupyter server the API lives on. */
  readonly serverSettings: ServerConnection.ISettings;

  /** The absolute URL of an API route. */
  url(endpoint: string, query?: IRequestOptions['query']): string {
    const url = URLExt.join(
      this.serverSettings.baseUrl,
      API_NAMESPACE,
      endpoint
    );
    const params = Object.entries(query ?? {}).filter(
      ([, value]) => value !== undefined
    );
    if (params.length === 0) {
      return url;
    }
    const search = params
      .map(
        ([key, value]) =>
          `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`
      )
      .join('&');
    return `${url}?${search}`;
  }

  /**
   * Call a route and return the response, which is OK (2xx).
   *
   * @throws {APIError} on an error status or when the server is unreachable.
   */
  async fetch(
    endpoint: string,
    options: IRequestOptions = {}
  ): Promise<Response> {
    const url = this.url(endpoint, options.query);
    const init: RequestInit = { method: options.method ?? 'GET' };
    if (options.body !== undefined) {
      init.body = JSON.stringify(options.body);
      init.headers = { 'Content-Type': 'application/json' };
    }
    if (options.signal) {
      init.signal = options.signal;
    }
    let response: Response;
    try {
      response = await ServerConnection.makeRequest(
        url,
        init,
        this.serverSettings
      );
    } catch (reason) {
      if (options.signal?.aborted) {
        throw reason;
      }
      const detail = errorMessage(reason);
      throw new APIError(`Could not reach the Jupyter server: ${detail}`, {
        url
      });
    }
    if (!response.ok) {
      throw await errorFromResponse(response);
    }
    return response;
  }

  /**
   * Call a route and return its decoded JSON body.
   *
   * @throws {APIError} on an error status or when the server is unreachable.
   */
  async request<T>(
    endpoint: string,
    options: IRequestOptions = {}
  ): Promise<T> {
    const response = await this.fetch(endpoint, options);
    const text = await response.text();
    if (!text) {
      return undefined as T;
    }
    try {
      return JSON.parse(text) as T;
    } catch {
      const url = this.url(endpoint, options.query);
      throw new APIError(
        `The orchest-lab server sent a response that is not JSON (${url})`,
        { status: response.status, url }
      );
    }
  }

  /**
   * A log route's text from byte `offset` on, and the offset to ask for next
   * (the server's `X-Log-Offset`).
   */
  async logChunk(
    endpoint: string,
    offset = 0,
    signal?: AbortSignal
  ): Promise<ILogChunk> {
    const response = await this.fetch(endpoint, { query: { offset }, signal });
    const text = await response.text();
    const header = Number(response.headers.get('X-Log-Offset'));
    return {
      text,
      offset: Number.isFinite(header) && header > 0 ? header : offset
    };
  }

  /**
   * Follow a log route: `onText` gets each piece as the server sends it,
   * until the server ends the log (the promise resolves) or `signal` aborts.
   */
  async followLog(
    endpoint: string,
    onText: (text: string) => void,
    options: { offset?: number; signal?: AbortSignal } = {}
  ): Promise<void> {
    const response = await this.fetch(endpoint, {
      query: { follow: true, offset: options.offset ?? 0 },
      signal: options.signal
    });
    await readTextStream(response, onText);
  }
}

/** Calls `onText` with each piece of a streamed text body as it arrives. */
async function readTextStream(
  response: Response,
  onText: (text: string) => void
): Promise<void> {
  const body = response.body;
  if (!body) {
    const text = await response.text();
    if (text) {
      onText(text);
    }
    return;
  }
  const decoder = new TextDecoder();
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      break;
    }
    const text = decoder.decode(value, { stream: true });
    if (text) {
      onText(text);
    }
  }
  const rest = decoder.decode();
  if (rest) {
    onText(rest);
  }
}
