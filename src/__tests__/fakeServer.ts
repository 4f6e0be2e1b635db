/**
 * An API client whose Jupyter server is a function of the request, for the
 * API client's unit tests.
 */
import { ServerConnection } from '@jupyterlab/services';

import { OrchestLabAPI } from '../api';

/** A request the client made. */
export interface ICall {
  /** The URL without the cache-busting timestamp JupyterLab appends. */
  url: string;
  authorization: string | null;
  method: string;
  body: string | null;
  contentType: string | null;
}

/** A client of a server at `baseUrl` that answers with `respond`. */
export function fakeServer(
  respond: (call: ICall) => Response | Promise<Response>,
  baseUrl = 'http://localhost:8888/lab-base/'
): { api: OrchestLabAPI; calls: ICall[] } {
  const calls: ICall[] = [];
  const fetch = async (
    input: RequestInfo,
    init?: RequestInit
  ): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(input, init);
    const call: ICall = {
      url: request.url.replace(/[?&]\d+$/, ''),
      authorization: request.headers.get('Authorization'),
      method: request.method,
      body: request.method === 'GET' ? null : await request.text(),
      contentType: request.headers.get('Content-Type')
    };
    calls.push(call);
    return respond(call);
  };
  const serverSettings = ServerConnection.makeSettings({
    baseUrl,
    appUrl: `${baseUrl}lab`,
    token: 'secret',
    fetch: fetch as ServerConnection.ISettings['fetch'],
    Request,
    Headers
  });
  return { api: new OrchestLabAPI({ serverSettings }), calls };
}

/** A JSON response (no body for 204). */
export function json(status: number, body: unknown): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' }
  });
}
