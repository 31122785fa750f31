/**
 * The one place that calls fetch. Every request carries the session cookie
 * (`credentials: 'include'`, so it also works when VITE_API_BASE_URL names another
 * port in development) and turns a failed answer into an ApiError.
 */
import { ApiError, NETWORK_ERROR_MESSAGE, apiErrorFromAnyBody } from './errors';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface HttpOptions {
  /** Defaults to VITE_API_BASE_URL; empty means same origin. */
  baseUrl?: string;
  /** Defaults to the global fetch, looked up at call time (so tests can stub it). */
  fetch?: FetchLike;
}

/** A single record's answer: its body and its version (the ETag header, for a later If-Match). */
export interface Tagged {
  body: unknown;
  etag: string | null;
}

/** Turns a failed answer's status and body into the error the screen shows. */
export type ErrorReader = (status: number, bodyText: string) => ApiError;

export interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal;
  /**
   * False for the calls that may answer 401 without a session having ended (sign in,
   * "who am I" at start, sign out); any other 401 means the session is gone.
   */
  needsSession?: boolean;
  /** The ETag of the version a change was made from: the server answers 412 if another came since. */
  ifMatch?: string | null;
  /** More request headers of our API (X-Registered-Despite). */
  headers?: Record<string, string>;
}

const UNREADABLE = 'The server sent an answer this page cannot read.';

type Listener = () => void;
const sessionEndedListeners = new Set<Listener>();

/**
 * Calls `listener` whenever a request that needs a session answers 401 (signed out
 * elsewhere, idle timeout on the server, account disabled). Returns the unsubscribe.
 */
export function onSessionEnded(listener: Listener): () => void {
  sessionEndedListeners.add(listener);
  return () => {
    sessionEndedListeners.delete(listener);
  };
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

export function createHttp(options: HttpOptions = {}, readError: ErrorReader = apiErrorFromAnyBody) {
  const baseUrl = (options.baseUrl ?? import.meta.env.VITE_API_BASE_URL ?? '').replace(/\/+$/, '');
  const doFetch: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));

  async function send(method: string, path: string, request: RequestOptions = {}): Promise<Response> {
    const { body, signal, needsSession = true, ifMatch } = request;
    const headers: Record<string, string> = { ...request.headers, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (ifMatch) headers['If-Match'] = ifMatch;
    let response: Response;
    try {
      response = await doFetch(`${baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'include',
        signal,
      });
    } catch (error) {
      if (isAbort(error)) throw error; // a cancelled request is not a failure to report
      throw new ApiError(NETWORK_ERROR_MESSAGE, 0);
    }
    if (!response.ok) {
      const error = readError(response.status, await response.text());
      if (response.status === 401 && needsSession) {
        for (const listener of [...sessionEndedListeners]) listener();
      }
      throw error;
    }
    return response;
  }

  async function bodyOf(response: Response): Promise<unknown> {
    try {
      return (await response.json()) as unknown;
    } catch (error) {
      if (isAbort(error)) throw error;
      throw new ApiError(UNREADABLE, response.status);
    }
  }

  async function json(method: string, path: string, request: RequestOptions = {}): Promise<unknown> {
    return bodyOf(await send(method, path, request));
  }

  /** The body and its ETag (null when the server sends none, as json-server). */
  async function tagged(method: string, path: string, request: RequestOptions = {}): Promise<Tagged> {
    const response = await send(method, path, request);
    return { body: await bodyOf(response), etag: response.headers.get('ETag') };
  }

  /** The body and the answer's headers, for a count the server sends beside a list. */
  async function withHeaders(method: string, path: string, request: RequestOptions = {}) {
    const response = await send(method, path, request);
    return { body: await bodyOf(response), headers: response.headers };
  }

  return {
    send,
    json,
    tagged,
    withHeaders,
    /** The address of `path`, for a plain link (a download the browser saves itself). */
    url: (path: string) => `${baseUrl}${path}`,
  };
}

export function unreadable(status = 200): ApiError {
  return new ApiError(UNREADABLE, status);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
