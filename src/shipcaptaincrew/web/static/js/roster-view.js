// One event's roster: load it (from the phone's copy when offline), draw every card in
// one go, and keep cards, totals, filters, the batch bar and the phone's copy in step as
// bookings change.
import { apiFetch } from './api.js';
import { when } from './format.js';
import { updateBatchBar } from './batch-bar.js';
import { takeRoster } from './prefetch.js';
import { currentCursor, followRoster } from './live-sync.js';
import { cachedRoster, saveRoster } from './offline-cache.js';
import { onPendingChange } from './pending.js';
import { buildCard, renderCard } from './roster-card.js';
import { applyFilters, resetFilters } from './roster-filters.js';
import { allBookings, getBooking, onBookingChange, rosterEvent, setRoster, setRosterEvent } from './roster-state.js';
import { renderTotals } from './roster-totals.js';
import { ui } from './sel.js';
import { setSyncedAt } from './sync-status.js';
import { urls } from './urls.js';

let saveTimer = null;

// Keep the phone's copy of the open roster current (debounced: a batch changes many).
function keepCopy() {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => {
    const event = rosterEvent();
    if (event) saveRoster(event.id, { event, roster: allBookings(), cursor: currentCursor() }).then(setSyncedAt);
  }, 300);
}

async function fetchRoster(eventId) {
  try {
    const data = await (takeRoster(eventId) || apiFetch(urls.roster(eventId)));
    saveRoster(eventId, data).then(setSyncedAt);
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

export async function loadRoster(eventId) {
  const data = await fetchRoster(eventId);
  setRoster(data.event, data.roster);
  setSyncedAt(data.syncedAt);
  followRoster(eventId, data.cursor || null, () => loadRoster(eventId));
  renderEventHeader(data.event);
  resetFilters();
  const fragment = document.createDocumentFragment();
  for (const booking of allBookings()) fragment.append(buildCard(booking));
  ui('rosterList').replaceChildren(fragment);
  renderTotals();
  applyFilters();
  updateBatchBar();
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
