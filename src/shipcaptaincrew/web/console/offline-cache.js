// What the console keeps on the phone to open with no signal: who is signed in, the events
// list, and the rosters of today's and tomorrow's events (and any roster opened since),
// each with the time it was last synced. Storage failures never stop the console.
import { apiFetch } from './api.js';
import { idbClear, idbGet, idbPut } from './idb.js';
import { urls } from './urls.js';

const quiet = (promise) => promise.catch(() => undefined);

export function saveRoster(eventId, data) {
  const syncedAt = new Date().toISOString();
  const kept = { eventId, event: data.event, roster: data.roster, cursor: data.cursor || null, syncedAt };
  return quiet(idbPut('rosters', kept)).then(() => syncedAt);
}

// When a kept roster was last found current without changes (a 304): kept apart, so
// confirming a copy does not write its 500 bookings again.
const syncedKey = (eventId) => `synced:${eventId}`;

export function markSynced(eventId) {
  const syncedAt = new Date().toISOString();
  return quiet(idbPut('meta', syncedAt, syncedKey(eventId))).then(() => syncedAt);
}

export async function cachedRoster(eventId) {
  const [kept, synced] = await Promise.all([
    quiet(idbGet('rosters', eventId)),
    quiet(idbGet('meta', syncedKey(eventId))),
  ]);
  if (kept && synced && synced > kept.syncedAt) return { ...kept, syncedAt: synced };
  return kept;
}

export function saveMe(me) {
  return quiet(idbPut('meta', me, 'me'));
}

export function cachedMe() {
  return quiet(idbGet('meta', 'me'));
}

export function saveEvents(events) {
  return quiet(idbPut('meta', { events, syncedAt: new Date().toISOString() }, 'events'));
}

export function cachedEvents() {
  return quiet(idbGet('meta', 'events'));
}

// Signing out leaves nothing of the roster on the phone (the queue of unsent actions stays:
// it is sent once someone signs in again).
export async function forgetAll() {
  await quiet(idbClear('meta')); // who was signed in, the events list, the sync times
  await quiet(idbClear('rosters'));
}

function isSoon(iso) {
  const day = new Date(iso);
  const today = new Date();
  const tomorrow = new Date(today.getFullYear(), today.getMonth(), today.getDate() + 1);
  return day.toDateString() === today.toDateString() || day.toDateString() === tomorrow.toDateString();
}

const FRESH_MS = 5 * 60_000;

// Fetch and keep today's and tomorrow's rosters (unless kept in the last five minutes),
// one after the other, in the background.
export async function keepSoonRosters(events) {
  for (const event of events.filter((e) => e.status === 'scheduled' && isSoon(e.starts_at))) {
    const kept = await cachedRoster(event.id);
    if (kept && Date.now() - Date.parse(kept.syncedAt) < FRESH_MS) continue;
    try {
      await saveRoster(event.id, await apiFetch(urls.roster(event.id)));
    } catch {
      return;
    }
  }
}
