// Actions taken with no signal (check-in and undo, payments, batch payments, paper
// waivers) are queued in IndexedDB with the Idempotency-Key made when the action was taken
// and the time it happened. When the connection is back they are sent in order, each once
// (the server replays a repeated key), and the cards settle. One the server refuses stays
// on its card as "not saved" until the crew member sends it again or dismisses it.
import { apiFetch } from './api.js';
import { refreshBooking } from './booking-refresh.js';
import { idbAll, idbDelete, idbPut } from './idb.js';
import { queuedItems, setItems } from './pending.js';
import { getBooking, putBooking, rosterEvent } from './roster-state.js';

const RETRY_MS = 15_000;
let flushing = null;
let timer = null;

function settle(out) {
  const bookings = !out ? [] : out.payments ? out.payments.map((p) => p.booking) : [out.booking || out];
  const event = rosterEvent();
  for (const b of bookings) if (b && event && b.event_id === event.id) putBooking(b);
}

async function save(item) {
  try {
    const seq = await idbPut('queue', item);
    return { ...item, seq };
  } catch {
    // No IndexedDB (a private window): the queue lives as long as the page.
    return { ...item, seq: Date.now() + Math.random() };
  }
}

async function replace(item) {
  await idbPut('queue', item).catch(() => undefined);
  setItems(queuedItems().map((i) => (i.seq === item.seq ? item : i)));
}

async function remove(item) {
  await idbDelete('queue', item.seq).catch(() => undefined);
  setItems(queuedItems().filter((i) => i.seq !== item.seq));
}

async function enqueue(action) {
  const item = await save({ ...action, occurredAt: new Date().toISOString(), status: 'pending' });
  setItems([...queuedItems(), item]);
  schedule();
  return item;
}

// Send now when online and nothing is waiting before it; otherwise queue it. Returns
// { out } with the server's answer, or { queued } when it waits on this phone.
export async function perform(action) {
  const waiting = queuedItems().some((i) => i.status === 'pending');
  if (navigator.onLine !== false && !waiting) {
    try {
      return { out: await apiFetch(action.url, { method: 'POST', body: action.body, idempotencyKey: action.key }) };
    } catch (err) {
      if (err.status !== 0) throw err;
    }
  }
  return { queued: await enqueue(action) };
}

const later = (err) => err.status === 0 || err.status === 401 || err.status === 429 || err.status >= 500;

async function sendAll() {
  for (const item of queuedItems()) {
    if (item.status !== 'pending') continue;
    if (navigator.onLine === false) return;
    let out;
    try {
      const body = { ...item.body, occurred_at: item.occurredAt };
      out = await apiFetch(item.url, { method: 'POST', body, idempotencyKey: item.key });
    } catch (err) {
      if (later(err)) return;
      await replace({ ...item, status: 'conflict', error: err.message });
      for (const id of item.patronIds) {
        const b = getBooking(id);
        if (b) refreshBooking(b).catch(() => {});
      }
      continue;
    }
    await remove(item);
    settle(out);
  }
}

export function flush() {
  if (!flushing) {
    flushing = sendAll().finally(() => {
      flushing = null;
      schedule();
    });
  }
  return flushing;
}

function schedule() {
  clearTimeout(timer);
  timer = null;
  if (!queuedItems().some((i) => i.status === 'pending')) return;
  timer = setTimeout(flush, navigator.onLine === false ? RETRY_MS : 0);
}

// The crew member's answer to a refused action: send it again, or let it go.
export async function retryItem(seq) {
  const item = queuedItems().find((i) => i.seq === seq);
  if (item) await replace({ ...item, status: 'pending', error: null });
  return flush();
}

export async function dismissItem(seq) {
  const item = queuedItems().find((i) => i.seq === seq);
  if (item) await remove(item);
}

export async function wireQueue() {
  setItems(await idbAll('queue').catch(() => []));
  window.addEventListener('online', flush);
  schedule();
}
