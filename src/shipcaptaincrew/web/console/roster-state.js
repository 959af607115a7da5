// The open event's roster in memory: bookings by patron id, in roster order, plus the
// cards picked for a batch payment. Changes are pushed to listeners (cards, totals).
const state = { event: null, byId: new Map(), order: [], picked: new Set() };
const listeners = new Set();

// A roster read again for the event open (reloaded when the event itself changed) may have
// been read before this phone's own latest writes: a booking this phone holds newer stays,
// with the answer's credit (``setCredit``; credit is the patron's, outside the version).
export function setRoster(event, roster) {
  const held = state.event && state.event.id === event.id ? state.byId : new Map();
  state.event = event;
  state.byId = new Map(
    roster.map((b) => {
      const kept = newer(held.get(b.patron_id), b);
      return [b.patron_id, kept === b ? b : { ...kept, credit_cents: undefined }];
    }),
  );
  state.order = roster.map((b) => b.patron_id);
  state.picked.clear();
}

// Credit each patron can spend now (the roster answer's ``credit``), shown on the card.
export function setCredit(credit) {
  for (const [patronId, cents] of Object.entries(credit || {})) {
    const booking = state.byId.get(patronId);
    if (booking) booking.credit_cents = cents;
  }
}

export function rosterEvent() {
  return state.event;
}

export function setRosterEvent(event) {
  state.event = { ...state.event, ...event };
}

export function getBooking(patronId) {
  return state.byId.get(patronId);
}

export function allBookings() {
  return state.order.map((id) => state.byId.get(id));
}

export function onBookingChange(listener) {
  listeners.add(listener);
}

function newer(held, booking) {
  return held && booking.version < held.version ? held : booking;
}

export function putBooking(booking) {
  // An answer that arrives after the crew member opened another event's roster belongs to
  // the one left: a patron is the same person on every event, so it is not drawn here.
  if (!state.event || booking.event_id !== state.event.id) return booking;
  const held = state.byId.get(booking.patron_id);
  // An answer read before a change this phone already shows (a live-sync read crossing this
  // phone's own write) is older: the newer booking stays.
  if (newer(held, booking) !== booking) return held;
  const known = held !== undefined;
  const merged = { ...(held || {}), ...booking };
  state.byId.set(booking.patron_id, merged);
  if (!known) state.order.push(booking.patron_id);
  if (!canPick(merged)) state.picked.delete(merged.patron_id);
  for (const listener of listeners) listener(merged, { added: !known });
  return merged;
}

export function canPick(booking) {
  return booking.status !== 'cancelled' && !booking.payment_cleared && booking.balance_cents > 0;
}

export function setPicked(patronId, on) {
  if (on) state.picked.add(patronId);
  else state.picked.delete(patronId);
}

export function isPicked(patronId) {
  return state.picked.has(patronId);
}

export function pickedBookings() {
  return state.order.filter((id) => state.picked.has(id)).map((id) => state.byId.get(id));
}

export function clearPicked() {
  state.picked.clear();
}
