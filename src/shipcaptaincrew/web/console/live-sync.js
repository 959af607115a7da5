// Live sync: a change made on another phone shows here within a second. The local server
// streams the roster's change cursor (Server-Sent Events); where it cannot (on Lambda the
// stream answers 404) the console polls the changes since its cursor every two seconds,
// and an unchanged roster costs a 304 with no body.
import { apiFetch } from './api.js';
import { putBooking } from './roster-state.js';
import { urls } from './urls.js';

const POLL_MS = 2000;
const state = { eventId: null, cursor: null, source: null, timer: null, busy: false, again: false, onReload: null };

// Resolves 'unchanged' or 'changed' when the server answered (the roster is then
// current), false otherwise (no answer, or the whole roster is being loaded again).
async function pull() {
  if (state.busy) {
    state.again = true;
    return false;
  }
  if (!state.eventId || navigator.onLine === false) return false;
  state.busy = true;
  const eventId = state.eventId;
  try {
    const out = await apiFetch(urls.changes(eventId, state.cursor || 'none'));
    if (eventId !== state.eventId) return false;
    if (!out) return 'unchanged'; // 304: nothing changed since the cursor
    state.cursor = out.cursor;
    if (out.reload) {
      state.onReload();
      return false;
    }
    // Each with the credit its patron holds now (none when the answer leaves it out).
    const credit = out.credit || {};
    for (const booking of out.roster) putBooking({ ...booking, credit_cents: credit[booking.patron_id] });
    return 'changed';
  } catch {
    // Offline or a passing failure: the next change or poll tries again.
    return false;
  } finally {
    state.busy = false;
    if (state.again) {
      state.again = false;
      pull();
    }
  }
}

function poll() {
  clearTimeout(state.timer);
  state.timer = setTimeout(async () => {
    await pull();
    if (state.eventId && !state.source) poll();
  }, POLL_MS);
}

// Bring a roster opened from the phone's copy up to date now (not at the next change).
export function catchUp() {
  return pull();
}

export function currentCursor() {
  return state.cursor;
}

export function stopFollowing() {
  if (state.source) state.source.close();
  clearTimeout(state.timer);
  Object.assign(state, { eventId: null, source: null, timer: null });
}

// Follow one roster from ``cursor`` (the roster answer's); ``onReload`` gets the whole
// roster again when the event itself changed.
export function followRoster(eventId, cursor, onReload) {
  stopFollowing();
  Object.assign(state, { eventId, cursor, onReload });
  if (typeof EventSource !== 'function') {
    document.documentElement.dataset.live = 'poll';
    poll();
    return;
  }
  const source = new EventSource(urls.live(eventId));
  source.addEventListener('open', () => {
    document.documentElement.dataset.live = 'stream';
  });
  source.addEventListener('change', (event) => {
    if (event.data !== state.cursor) pull();
  });
  source.addEventListener('error', () => {
    if (source.readyState !== EventSource.CLOSED || state.source !== source) return;
    state.source = null;
    document.documentElement.dataset.live = 'poll';
    poll();
  });
  state.source = source;
}
