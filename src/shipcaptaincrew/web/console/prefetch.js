// Starts the first requests (who am I, and the roster when the address names an event)
// before the rest of the console runs (main.js imports this first). main.js picks them up. A page
// the service worker serves has been opened on this phone before, so the roster is most
// likely kept on it (roster-view.js opens that copy and asks only what changed): the whole
// roster is then not fetched ahead. The phone's copy of the roster is looked up at the same
// time (opening IndexedDB takes a moment on a phone), so neither waits for the other.
import { apiFetch } from './api.js';
import { cachedRoster } from './offline-cache.js';
import { currentRoute } from './router.js';
import { urls } from './urls.js';

function early(promise) {
  promise.catch(() => {}); // handled by whoever takes it; never an unhandled rejection
  return promise;
}

const route = currentRoute();
const pending = {
  me: early(apiFetch(urls.me())),
  roster:
    route.name === 'roster' && !navigator.serviceWorker?.controller
      ? { eventId: route.eventId, data: early(apiFetch(urls.roster(route.eventId))) }
      : null,
  kept: route.name === 'roster' ? { eventId: route.eventId, data: cachedRoster(route.eventId) } : null,
};

export function takeMe() {
  const me = pending.me;
  pending.me = null;
  return me;
}

// After signing in, answers fetched before it are stale (they were 401s).
export function dropPrefetched() {
  pending.me = null;
  pending.roster = null;
  pending.kept = null;
}

// Each early answer is taken once, and only for the event it was started for.
function take(name, eventId) {
  const slot = pending[name];
  pending[name] = null;
  return slot && slot.eventId === eventId ? slot.data : null;
}

export function takeRoster(eventId) {
  return take('roster', eventId);
}

// The phone's copy of this roster as looked up at start (later looks go to IndexedDB).
export function takeKept(eventId) {
  return take('kept', eventId);
}
