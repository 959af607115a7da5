// The events list: today's and upcoming first (the server orders them), with counts. The
// list and today's and tomorrow's rosters are kept on the phone for working offline.
import { apiFetch } from './api.js';
import { clear, h } from './el.js';
import { money, when } from './format.js';
import { cachedEvents, keepSoonRosters, saveEvents } from './offline-cache.js';
import { rosterHref } from './router.js';
import { ui } from './sel.js';
import { urls } from './urls.js';

function isToday(iso) {
  return new Date(iso).toDateString() === new Date().toDateString();
}

function stat(label, value) {
  return h('div', { class: 'stat' }, h('dt', { text: label }), h('dd', { text: value }));
}

function eventItem(event) {
  const c = event.counts || {};
  const headingId = `ev-${event.id}`;
  return h(
    'li',
    { class: `event-item${event.status !== 'scheduled' ? ' is-inactive' : ''}` },
    h(
      'a',
      { class: 'event-link', href: rosterHref(event.id), 'aria-describedby': `${headingId}-c` },
      h('span', { class: 'event-title', id: headingId, text: event.title }),
      isToday(event.starts_at) ? h('span', { class: 'badge badge-today', text: 'Today' }) : null,
      event.status !== 'scheduled' ? h('span', { class: 'badge', text: event.status }) : null,
      h('span', { class: 'event-when', text: [when(event.starts_at), event.location].filter(Boolean).join(' · ') }),
    ),
    h(
      'dl',
      { class: 'event-counts', id: `${headingId}-c` },
      stat('Booked', String(c.booked ?? 0)),
      stat('Checked in', String(c.checked_in ?? 0)),
      stat('Waivers', String(c.waivers ?? 0)),
      stat('Paid', String(c.paid ?? 0)),
      stat(
        'Collected',
        `${money(c.amount_collected_cents ?? 0, event.currency)} of ${money(c.amount_due_cents ?? 0, event.currency)}`,
      ),
    ),
  );
}

async function fetchEvents() {
  try {
    const { events } = await apiFetch(urls.events());
    saveEvents(events).then(() => keepSoonRosters(events));
    return events;
  } catch (err) {
    const kept = err.status === 0 ? await cachedEvents() : null;
    if (!kept) throw err;
    return kept.events;
  }
}

export async function loadEvents() {
  const list = ui('eventsList');
  const events = await fetchEvents();
  clear(list);
  if (!events.length) list.append(h('li', { class: 'empty', text: 'No events yet.' }));
  list.append(...events.map(eventItem));
}
