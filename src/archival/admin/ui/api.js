/*
 * The admin API beside the page (the page's URL minus "ui"), called with the
 * operator's token. The token lives in this tab's sessionStorage only; a link
 * may bring it once as #token=, which is then removed from the address bar
 * and the history entry. It is never written into the page.
 */
const TOKEN_KEY = 'nest-archival.admin-token';
const API = new URL('./', location.href);
let refused = () => undefined;

/** The token was refused (401): the page asks for it again. */
export class Refused extends Error {}

export const token = {
  present: () => Boolean(sessionStorage.getItem(TOKEN_KEY)),
  set: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  forget: () => sessionStorage.removeItem(TOKEN_KEY),
  /** Takes a token passed as #token=... once. */
  takeFromAddress() {
    const value = new URLSearchParams(location.hash.slice(1)).get('token');
    if (value === null) return;
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    history.replaceState(null, '', location.pathname + location.search);
  },
};

export function onRefused(handler) {
  refused = handler;
}

export async function call(path, { method = 'GET', body } = {}) {
  const response = await fetch(new URL(path, API), {
    method,
    cache: 'no-store',
    headers: { Authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY)}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const payload = await response.json().catch(() => null);
  if (response.status === 401) {
    token.forget();
    refused('The token was refused: enter it again.');
    throw new Refused();
  }
  if (!response.ok) {
    const message = payload && payload.message;
    throw new Error(`${response.status}: ${Array.isArray(message) ? message.join('; ') : message || response.statusText}`);
  }
  return payload;
}

/** Polls a run (a job run or a restore) until it is no longer running; `progress` sees each running state. */
export async function follow(runId, progress) {
  let run = await call(`runs/${runId}`);
  while (run.status === 'running') {
    progress(run);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    run = await call(`runs/${runId}`);
  }
  return run;
}
