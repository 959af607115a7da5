// One roster card per booking: name, party size, badges, actions waiting to be sent (or
// refused by the server) and the card's actions. Cards are rebuilt from data (never from
// HTML strings) whenever a booking or its waiting actions change.
import { copyOf, h } from './el.js';
import { clock, money } from './format.js';
import { itemsFor, withPending } from './pending.js';
import { isPicked, canPick, putBooking } from './roster-state.js';
import { cardOf, ui } from './sel.js';
import { isManager } from './session.js';

// A badge whose words never change, copied from its first build.
function fixedBadge(tone, text) {
  return copyOf(`badge:${tone}:${text}`, () => h('li', { class: `badge badge-${tone}`, text }));
}

function button(action, text, cls = 'btn', extra = {}) {
  return h('button', { type: 'button', class: cls, data: { action }, ...extra, text });
}

function paymentBadge(b) {
  if (b.payment_cleared) return fixedBadge('ok', 'Paid');
  const left = money(b.balance_cents, b.currency);
  if (b.amount_paid_cents > 0) {
    return h('li', { class: 'badge badge-warn', text: `Partly paid · ${left} left` });
  }
  return h('li', { class: 'badge badge-bad', text: `Unpaid · ${left} left` });
}

// A party counts each person's waiver: "2 of 4 waivers" (counted by the server).
function waiverBadge(b, kind) {
  if (b.party_size > 1) {
    const text = `${b.waivers_signed} of ${b.party_size} waivers`;
    const tone = b.waiver_signed ? 'ok' : b.waivers_signed > 0 ? 'warn' : 'bad';
    return h('li', { class: `badge badge-${tone}`, text });
  }
  return b.waiver_signed ? fixedBadge('ok', kind) : fixedBadge('bad', 'No waiver');
}

function badges(b) {
  const waiver = b.waiver_kind === 'electronic' ? 'Waiver signed online' : 'Paper waiver';
  return h(
    'ul',
    { class: 'badges', 'aria-label': 'Status' },
    b.status !== 'booked' ? h('li', { class: 'badge badge-bad', text: b.status }) : null,
    paymentBadge(b),
    waiverBadge(b, waiver),
    b.checked_in ? fixedBadge('ok', 'Checked in') : fixedBadge('bad', 'Not checked in'),
    b.ready ? fixedBadge('ready', 'Ready to board') : null,
    b.credit_cents > 0 ? h('li', { class: 'badge badge-credit', text: `Credit ${money(b.credit_cents, b.currency)}` }) : null,
    b.receipt_email
      ? h('li', { class: `badge badge-mail-${b.receipt_email}`, text: `Receipt email ${b.receipt_email}` })
      : null,
  );
}

// The card's buttons hang on its state only (and the role), so each combination is built
// once and copied; every button is then tied to the card's name.
function actions(b, nameId) {
  const open = b.status !== 'cancelled';
  const manager = isManager();
  const key = `actions:${b.status}:${b.payment_cleared}:${b.waiver_signed}:${b.checked_in}:${manager}`;
  const node = copyOf(key, () =>
    h(
      'div',
      { class: 'card-actions' },
      b.status === 'waitlisted' && manager ? button('promote', 'Book from waitlist', 'btn btn-primary') : null,
      open && !b.payment_cleared ? button('pay', 'Log payment', 'btn btn-primary') : null,
      open ? button('checkin', 'Checked in', 'btn btn-toggle', { 'aria-pressed': String(b.checked_in) }) : null,
      open && !b.waiver_signed ? button('waiver', 'Paper waiver') : null,
      button('history', 'Payments'),
      open && manager ? button('rebook', 'Rebook') : null,
      open ? button('send-link', 'Send link') : null,
      open ? button('qr', 'QR code') : null,
    ),
  );
  for (const child of node.children) child.setAttribute('aria-describedby', nameId);
  return node;
}

function queued(item, nameId) {
  if (item.status !== 'conflict') {
    return h('li', { class: 'queued' }, `Waiting to send: ${item.label} (${clock(item.occurredAt)})`);
  }
  const data = { seq: String(item.seq) };
  return h(
    'li',
    { class: 'queued is-conflict', role: 'alert' },
    h('span', { text: `Not saved: ${item.label}. ${item.error}` }),
    h('button', { type: 'button', class: 'btn', data: { ...data, action: 'retry' }, 'aria-describedby': nameId, text: 'Send again' }),
    h('button', { type: 'button', class: 'btn', data: { ...data, action: 'dismiss' }, 'aria-describedby': nameId, text: 'Dismiss' }),
  );
}

// Persons aboard and back, for a checked-in party (a party can split); busy while taps
// are on their way to the server.
function headcount(b, nameId) {
  if (!b.checked_in || b.status !== 'booked') return null;
  const aboard = b.aboard || 0;
  const back = b.returned || 0;
  const step = (name, label, text, disabled) =>
    h('button', { type: 'button', class: 'btn btn-step', data: { action: 'headcount', step: name }, 'aria-label': `${label}, ${b.name}`, disabled, text });
  return h(
    'div',
    { class: 'headcount', role: 'group', 'aria-label': 'Headcount', 'aria-describedby': nameId, 'aria-busy': b.sending_headcount ? 'true' : null },
    h('span', { class: 'count', text: `Aboard ${aboard} of ${b.party_size}` }),
    step('aboard-down', 'One less aboard', '−', aboard === 0),
    step('aboard-up', 'One more aboard', '+', aboard >= b.party_size),
    h('span', { class: 'count', text: `Back ${back}` }),
    step('back-down', 'One less back', '−', back === 0),
    step('back-up', 'One more back', '+', back >= aboard),
  );
}

// Name, party size and the batch-payment pick: the same nodes on every card, copied and
// filled in.
function head(b, nameId, pickId) {
  const node = copyOf('head', () =>
    h(
      'div',
      { class: 'card-head' },
      h('input', { type: 'checkbox', class: 'pick', data: { action: 'pick' } }),
      h('label', { class: 'visually-hidden', text: 'Select for batch payment' }),
      h('h2', { class: 'card-name' }),
      h('span', { class: 'party' }),
    ),
  );
  const [pick, label, name, party] = node.children;
  pick.id = pickId;
  pick.checked = isPicked(b.patron_id);
  pick.disabled = !canPick(b);
  pick.setAttribute('aria-describedby', nameId);
  label.htmlFor = pickId;
  name.id = nameId;
  name.textContent = b.name;
  party.textContent = b.party_size === 1 ? '1 person' : `Party of ${b.party_size}`;
  return node;
}

export function buildCard(booking) {
  const b = withPending(booking);
  const items = itemsFor(b);
  const nameId = `name-${b.patron_id}`;
  return h(
    'li',
    { class: `card${b.ready ? ' is-ready' : ''}`, data: { patron: b.patron_id } },
    head(b, nameId, `pick-${b.patron_id}`),
    badges(b),
    items.length ? h('ul', { class: 'queue-list', 'aria-label': 'Not yet on the server' }, items.map((i) => queued(i, nameId))) : null,
    headcount(b, nameId),
    actions(b, nameId),
  );
}

// A part of a card drawn as the one shown: the same nodes and attributes, and the same pick
// (a checkbox's state is not an attribute).
function samePart(shown, drawn) {
  if (!shown.isEqualNode(drawn)) return false;
  const pick = shown.querySelector('.pick');
  return !pick || pick.checked === drawn.querySelector('.pick').checked;
}

// Bring the card shown up to date with the one drawn, part by part (its head, badges,
// waiting actions, headcount and actions, each known by its class): a part drawn the same
// keeps its nodes, a changed part is replaced, a part no longer drawn goes and a new one
// comes in its place.
function patchCard(shown, drawn) {
  shown.className = drawn.className;
  let at = shown.firstElementChild;
  for (const part of Array.from(drawn.children)) {
    let found = at;
    while (found && found.className !== part.className) found = found.nextElementSibling;
    if (!found) {
      if (at) at.before(part);
      else shown.append(part);
      continue;
    }
    while (at !== found) {
      const gone = at;
      at = at.nextElementSibling;
      gone.remove();
    }
    at = found.nextElementSibling;
    if (!samePart(found, part)) found.replaceWith(part);
  }
  while (at) {
    const gone = at;
    at = at.nextElementSibling;
    gone.remove();
  }
}

// The card's control that has the focus, as a selector that finds it in the card drawn
// again (its action, and which step or waiting action it is); null when none has it.
function focusedControl(card) {
  const el = document.activeElement;
  if (!el || !card.contains(el) || !el.dataset.action) return null;
  const extra = ['step', 'seq'].filter((k) => el.dataset[k]).map((k) => `[data-${k}="${CSS.escape(el.dataset[k])}"]`);
  return `[data-action="${CSS.escape(el.dataset.action)}"]${extra.join('')}`;
}

// Show a booking's card: the one shown brought up to date in place (or a new one at the end).
// Only the parts that changed are replaced: a change made elsewhere (a guest link sent, an
// email delivered, a payment that leaves the buttons as they were) must not take a button
// from under a finger pressing it, which would lose the tap. When the focused control's
// part is replaced, the focus goes to the same control in it, so a keyboard user is not
// sent back to the top of the page.
export function renderCard(booking) {
  const card = buildCard(booking);
  const shown = cardOf(booking.patron_id);
  if (!shown) {
    ui('rosterList').append(card);
    return card;
  }
  const focused = focusedControl(shown);
  patchCard(shown, card);
  if (focused && !shown.contains(document.activeElement)) {
    const again = shown.querySelector(focused);
    if (again) again.focus();
  }
  return shown;
}

// After a payment: store the booking the server sent back and re-render its card,
// without reloading the page.
export function renderPaymentCard(booking) {
  return putBooking(booking);
}
