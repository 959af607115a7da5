// apiFetch(): the single door to the server. Cookie session, CSRF header on writes,
// Idempotency-Key when asked, and every failure as an ApiError in plain words.
import { ApiError, networkError, plainMessage } from './api-errors.js';
import { urls } from './urls.js';

export { ApiError };

const csrf = { header: 'X-CSRF-Token', token: null };
const signedOutListeners = new Set();
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export function setCsrf(token, header) {
  csrf.token = token || null;
  if (header) csrf.header = header;
}

export function onSignedOut(listener) {
  signedOutListeners.add(listener);
}

async function readBody(res) {
  if (res.status === 204) return null;
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export async function apiFetch(path, { method = 'GET', body, idempotencyKey } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (!SAFE.has(method) && csrf.token) headers[csrf.header] = csrf.token;
  if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw networkError();
  }
  if (res.status === 304) return null; // unchanged since the cursor or ETag sent
  const data = await readBody(res);
  if (res.ok) return data;
  const error = (data && data.error) || {};
  const err = new ApiError(
    res.status,
    error.code || `http_${res.status}`,
    plainMessage(res.status, error),
    error.details || {},
  );
  if (res.status === 401 && path !== urls.login()) {
    csrf.token = null;
    for (const listener of signedOutListeners) listener(err);
  }
  throw err;
}
