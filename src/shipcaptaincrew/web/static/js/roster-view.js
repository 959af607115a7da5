// One event's roster: load it, draw every card in one go, and keep cards, totals,
// filters and the batch bar in step as bookings change.
import { apiFetch } from './api.js';
import { when } from './format.js';
import { updateBatchBar } from './batch-bar.js';
import { takeRoster } from './prefetch.js';
import { buildCard, renderCard } from './roster-card.js';
import { applyFilters, resetFilters } from './roster-filters.js';
import { allBookings, onBookingChange, rosterEvent, setRoster, setRosterEvent } from './roster-state.js';
import { renderTotals } from './roster-totals.js';
import { ui } from './sel.js';
import { urls } from './urls.js';

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
  const data = await (takeRoster(eventId) || apiFetch(urls.roster(eventId)));
  setRoster(data.event, data.roster);
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
  });
}
