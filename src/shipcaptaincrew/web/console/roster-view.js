// One event's roster: open it from the phone's copy when there is one (then ask the server
// only what changed since that copy's cursor), else from the server; draw every card in one
// go, and keep cards, totals, filters, the batch bar and the phone's copy in step as
// bookings change.
import { apiFetch } from './api.js';
import { when } from './format.js';
import { updateBatchBar } from './batch-bar.js';
import { takeKept, takeRoster } from './prefetch.js';
import { catchUp, currentCursor, followRoster } from './live-sync.js';
import { cachedRoster, markSynced, saveRoster } from './offline-cache.js';
import { onPendingChange } from './pending.js';
import { buildCard, renderCard } from './roster-card.js';
import { applyFilters, resetFilters } from './roster-filters.js';
import { allBookings, getBooking, onBookingChange, rosterEvent, setCredit, setRoster, setRosterEvent } from './roster-state.js';
import { renderTotals } from './roster-totals.js';
import { ui } from './sel.js';
import { setSyncedAt } from './sync-status.js';
import { urls } from './urls.js';

let saveTimer = null;

// Keep the phone's copy of the open roster current (debounced: a batch changes many).
function keepCopy(delay = 300) {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => {
    const event = rosterEvent();
    if (event) saveRoster(event.id, { event, roster: allBookings(), cursor: currentCursor() }).then(setSyncedAt);
  }, delay);
}

// The phone's copy, when it has one with a cursor to catch up from; the roster prefetched
// for this address is then not needed.
async function keptRoster(eventId) {
  const kept = await (takeKept(eventId) || cachedRoster(eventId));
  if (!kept || !kept.cursor) return null;
  takeRoster(eventId);
  return kept;
}

async function fetchRoster(eventId) {
  try {
    const data = await (takeRoster(eventId) || apiFetch(urls.roster(eventId)));
    // Kept once the cards are drawn: copying 500 bookings into IndexedDB takes the main
    // thread for a moment, and the first load should not wait for it.
    setTimeout(() => saveRoster(eventId, data).then(setSyncedAt), 0);
    return { ...data, syncedAt: new Date().toISOString() };
  } catch (err) {
    const kept = err.status === 0 ? await cachedRoster(eventId) : null;
    if (!kept) throw err;
    return kept;
  }
}

export function renderEventHeader(event) {
  ui('rosterTitle').textContent = event.title;
  const status = event.status !== 'scheduled' ? ` · ${event.status}` : '';
  ui('rosterWhen').textContent = [when(event.starts_at), event.location].filter(Boolean).join(' · ') + status;
  document.title = `${event.title} · Dispatch console`;
}

export function currentEventId() {
  const event = rosterEvent();
  return event ? event.id : null;
}

// ``fresh``: from the server even when the phone has a copy (the event itself changed, or
// the copy is too old to catch up from).
export async function loadRoster(eventId, { fresh = false } = {}) {
  const kept = fresh ? null : await keptRoster(eventId);
  const data = kept || (await fetchRoster(eventId));
  setRoster(data.event, data.roster);
  setCredit(data.credit);
  setSyncedAt(data.syncedAt);
  followRoster(eventId, data.cursor || null, () => loadRoster(eventId, { fresh: true }));
  renderEventHeader(data.event);
  resetFilters();
  const fragment = document.createDocumentFragment();
  for (const booking of allBookings()) fragment.append(buildCard(booking));
  ui('rosterList').replaceChildren(fragment);
  renderTotals();
  applyFilters();
  updateBatchBar();
  if (kept) {
    catchUp().then((result) => {
      if (result === 'changed') keepCopy(0);
      else if (result === 'unchanged') markSynced(eventId).then(setSyncedAt);
    });
  }
}

export function updateEvent(event) {
  setRosterEvent(event);
  renderEventHeader(rosterEvent());
  renderTotals();
}

export function wireRosterView() {
  onBookingChange((booking) => {
    renderCard(booking);
    renderTotals();
    applyFilters();
    updateBatchBar();
    keepCopy();
  });
  onPendingChange((patronIds) => {
    for (const id of patronIds) {
      const booking = getBooking(id);
      if (booking) renderCard(booking);
    }
    renderTotals();
    applyFilters();
  });
}
