// Turn the server's one error shape {"error": {code, message, details}} into plain words.
export class ApiError extends Error {
  constructor(status, code, message, details = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export const OFFLINE_MESSAGE =
  'You are offline, so nothing was saved. What you typed is kept: try again when you have a connection.';
export const NETWORK_MESSAGE =
  'Could not reach the server, so nothing was saved. What you typed is kept: check the connection and try again.';

const FALLBACK = {
  400: 'The request was not understood.',
  401: 'Please sign in again.',
  403: 'You are not allowed to do that.',
  404: 'That was not found. It may have been removed.',
  409: 'That conflicts with a change already made.',
  413: 'That is too large to send.',
  422: 'Some fields are missing or wrong.',
  429: 'Too many attempts. Wait a moment and try again.',
};

function fieldName(loc) {
  const parts = (loc || []).filter((p) => p !== 'body' && p !== 'query' && p !== 'path');
  return parts.join(' ').replaceAll('_cents', '').replaceAll('_', ' ');
}

function fieldProblems(details) {
  const errors = Array.isArray(details && details.errors) ? details.errors : [];
  return errors
    .slice(0, 4)
    .map((e) => `${fieldName(e.loc) || 'request'}: ${String(e.message || '').toLowerCase()}`);
}

export function plainMessage(status, error) {
  const base = (error && error.message) || FALLBACK[status] || `The server answered ${status}.`;
  const problems = fieldProblems(error && error.details);
  if (status >= 500) return 'Something went wrong on the server. Nothing was changed; try again.';
  return problems.length ? `${base} ${problems.join('; ')}.` : base;
}

export function networkError() {
  const offline = typeof navigator !== 'undefined' && navigator.onLine === false;
  return new ApiError(0, 'offline', offline ? OFFLINE_MESSAGE : NETWORK_MESSAGE);
}
