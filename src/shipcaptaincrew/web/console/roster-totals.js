// Live totals at the top of the roster, recomputed from the bookings in memory
// (the same rules as the server's counts: waitlisted and cancelled bookings do not count).
// On a phone they fold into one line that opens on tap.
import { clear, h } from './el.js';
import { money } from './format.js';
import { allBookings, rosterEvent } from './roster-state.js';
import { ui } from './sel.js';
import { urls } from './urls.js';

export function countRoster(bookings) {
  const c = { booked: 0, places: 0, checkedIn: 0, waivers: 0, paid: 0, ready: 0, due: 0, collected: 0, aboard: 0, back: 0 };
  for (const b of bookings) {
    c.collected += b.amount_paid_cents;
    if (b.status !== 'booked') continue;
    c.booked += 1;
    c.places += b.party_size;
    c.due += b.amount_due_cents;
    c.checkedIn += b.checked_in ? 1 : 0;
    c.waivers += b.waiver_signed ? 1 : 0;
    c.paid += b.payment_cleared ? 1 : 0;
    c.ready += b.ready ? 1 : 0;
    c.aboard += b.aboard || 0;
    c.back += b.returned || 0;
  }
  return c;
}

function item(label, value, id) {
  return h('div', { class: 'total' }, h('dt', { text: label }), h('dd', { id, text: value }));
}

export function renderTotals() {
  const event = rosterEvent();
  if (!event) return;
  const c = countRoster(allBookings());
  const of = (n) => `${n} of ${c.booked}`;
  const collected = `${money(c.collected, event.currency)} of ${money(c.due, event.currency)}`;
  const people = c.aboard ? ` · Aboard ${c.aboard} · Out ${c.aboard - c.back}` : '';
  ui('totalsLine').textContent = `In ${c.checkedIn}/${c.booked} · Paid ${c.paid}/${c.booked}${people} · ${collected}`;
  clear(ui('totals')).append(
    item('Booked', `${c.booked} (${c.places} places)`, 'total-booked'),
    item('Checked in', of(c.checkedIn), 'total-checked-in'),
    item('Waivers', of(c.waivers), 'total-waivers'),
    item('Paid', of(c.paid), 'total-paid'),
    item('Ready to board', of(c.ready), 'total-ready'),
    item('Collected', collected, 'total-collected'),
    item('Aboard (persons)', String(c.aboard), 'total-aboard'),
    item('Still out (persons)', String(c.aboard - c.back), 'total-out'),
  );
  ui('passengersPage').href = urls.passengersPage(event.id);
  ui('passengersPdf').href = urls.passengersPdf(event.id);
}
