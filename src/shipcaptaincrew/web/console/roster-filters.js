// Search by name and the three filters (unpaid, no waiver, not checked in). Cards are
// hidden, not rebuilt, so filtering a 500-card roster stays instant.
import { allBookings, getBooking } from './roster-state.js';
import { ui } from './sel.js';

function criteria() {
  return {
    text: ui('search').value.trim().toLocaleLowerCase(),
    unpaid: ui('filterUnpaid').checked,
    noWaiver: ui('filterWaiver').checked,
    notIn: ui('filterCheckin').checked,
  };
}

function matches(b, c) {
  if (c.text && !b.name.toLocaleLowerCase().includes(c.text)) return false;
  if (c.unpaid && b.payment_cleared) return false;
  if (c.noWaiver && b.waiver_signed) return false;
  if (c.notIn && b.checked_in) return false;
  return true;
}

export function applyFilters() {
  const c = criteria();
  let shown = 0;
  const cards = ui('rosterList').children;
  for (const card of cards) {
    const b = getBooking(card.dataset.patron);
    card.hidden = !b || !matches(b, c);
    if (!card.hidden) shown += 1;
  }
  const total = allBookings().length;
  ui('rosterCount').textContent =
    shown === total ? `${total} on the roster` : `Showing ${shown} of ${total}`;
}

export function resetFilters() {
  ui('search').value = '';
  for (const name of ['filterUnpaid', 'filterWaiver', 'filterCheckin']) ui(name).checked = false;
}

export function wireFilters() {
  ui('search').addEventListener('input', applyFilters);
  for (const name of ['filterUnpaid', 'filterWaiver', 'filterCheckin']) {
    ui(name).addEventListener('change', applyFilters);
  }
}
