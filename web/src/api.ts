// The one way the page talks to the server: same-origin fetch with the
// session cookie, the CSRF header on state-changing calls, the sign-in
// redirects for 401 answers, and a few retries when the server says "busy".

let csrfToken = "";

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface ApiOptions {
  method?: "GET" | "POST" | "DELETE";
  body?: unknown;
  signal?: AbortSignal;
}

const MAX_BUSY_RETRIES = 4;

/** Where to go to sign in again, given the code of a 401 answer. */
export function signinURL(code: string): string {
  const ret = encodeURIComponent(location.pathname + location.hash);
  return code === "session_expired" ? `/signin?reason=expired&return=${ret}` : `/signin?return=${ret}`;
}

let leaving = false;

function never<T>(): Promise<T> {
  return new Promise<T>(() => undefined);
}

export async function api<T>(path: string, opts: ApiOptions = {}): Promise<T> {
  const method = opts.method ?? "GET";
  const headers: Record<string, string> = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRF-Token"] = csrfToken;
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(opts.body);
  }
  for (let attempt = 0; ; attempt++) {
    if (leaving) return never<T>();
    const res = await fetch(path, {
      method,
      headers,
      body,
      credentials: "same-origin",
      cache: "no-store",
      signal: opts.signal,
    });
    if (res.ok) {
      if (res.status === 204) return undefined as T;
      return (await res.json()) as T;
    }
    let code = "http_" + res.status;
    let message = `The server answered ${res.status} ${res.statusText}`.trim();
    try {
      const j = (await res.json()) as { code?: unknown; message?: unknown };
      if (typeof j.code === "string") code = j.code;
      if (typeof j.message === "string" && j.message !== "") message = j.message;
    } catch {
      // not JSON: keep the generic message
    }
    if (res.status === 401) {
      // Both signed_out and session_expired (and any other 401) mean: sign in again.
      leaving = true;
      location.assign(signinURL(code));
      return never<T>();
    }
    if (res.status === 429 && attempt < MAX_BUSY_RETRIES) {
      await sleep(150 * 2 ** attempt + Math.random() * 100);
      continue;
    }
    throw new ApiError(res.status, code, message);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
