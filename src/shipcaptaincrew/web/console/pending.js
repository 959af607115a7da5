// Actions taken offline that the server has not settled yet, in the order they were taken
// (a mirror of the IndexedDB queue). Cards show them: "waiting to send", or "not saved"
// when the server refused one and the crew member has to decide.
import { urls } from './urls.js';

const state = { items: [] };
const listeners = new Set();
// Headcount taps the server has not answered yet: the latest counts each card was tapped
// to, by booking (event and patron). The card shows them at once; only the latest is sent.
const tapped = new Map();
const bookingKey = (b) => `${b.event_id}/${b.patron_id}`;

export function onPendingChange(listener) {
  listeners.add(listener);
}

export function setItems(items) {
  const touched = new Set([...state.items, ...items].flatMap((i) => i.patronIds || []));
  state.items = [...items].sort((a, b) => a.seq - b.seq);
  for (const listener of listeners) listener(touched);
}

// ``counts`` ({ aboard, returned }) tapped on a booking's card and not answered yet; null
// once they are (or refused: the card shows the server's counts again).
export function setTapped(booking, counts) {
  if (counts) tapped.set(bookingKey(booking), counts);
  else tapped.delete(bookingKey(booking));
  for (const listener of listeners) listener(new Set([booking.patron_id]));
}

export function tappedFor(booking) {
  return tapped.get(bookingKey(booking));
}

export function queuedItems() {
  return state.items.slice();
}

// A booking's own actions: a patron is the same person on every event, and each action's
// address names its event.
export function itemsFor(booking) {
  const own = `${urls.event(booking.event_id)}/`;
  return state.items.filter((i) => (i.patronIds || []).includes(booking.patron_id) && i.url.startsWith(own));
}

export function waitingCount() {
  return state.items.filter((i) => i.status === 'pending').length;
}

export function conflictCount() {
  return state.items.filter((i) => i.status === 'conflict').length;
}

// The booking as this phone will have it once its waiting actions are sent: a check-in
// or undo, a paper waiver and headcount taps show at once; payments show as waiting (the
// server settles). ``sending_headcount``: taps on their way, not answered yet.
export function withPending(booking) {
  let view = booking;
  for (const item of itemsFor(booking)) {
    if (item.status !== 'pending') continue;
    if (item.kind === 'checkin') view = { ...view, checked_in: item.body.checked_in };
    if (item.kind === 'waiver') view = { ...view, waiver_signed: true, waiver_kind: 'paper' };
    if (item.kind === 'headcount') view = { ...view, ...item.body };
  }
  const counts = tapped.get(bookingKey(booking));
  return counts ? { ...view, ...counts, sending_headcount: true } : view;
}
