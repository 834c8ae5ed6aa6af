// The page's calls to the tiercel server. The session cookie is HttpOnly;
// state-changing calls carry the session's CSRF token in a header.

let csrf = "";

export function setCSRF(token) {
  csrf = token || "";
}

async function call(method, url, body, signal) {
  const headers = {};
  if (method !== "GET") {
    headers["Content-Type"] = "application/json";
    headers["X-CSRF-Token"] = csrf;
  }
  const res = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
    signal,
  });
  return res;
}

export class HTTPError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function json(method, url, body) {
  const res = await call(method, url, body);
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (!res.ok) {
    throw new HTTPError(res.status, (data && data.error) || res.statusText);
  }
  return data;
}

export const get = (url) => json("GET", url);
export const post = (url, body) => json("POST", url, body ?? {});

// stream POSTs body to url and calls onMessage for each NDJSON line of the
// answer until it ends or signal aborts.
export async function stream(url, body, onMessage, signal) {
  const res = await call("POST", url, body, signal);
  if (!res.ok) {
    let msg = res.statusText;
    try {
      msg = (await res.json()).error || msg;
    } catch {
      /* not JSON */
    }
    throw new HTTPError(res.status, msg);
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true });
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line) onMessage(JSON.parse(line));
    }
  }
  if (buf.trim()) onMessage(JSON.parse(buf));
}
