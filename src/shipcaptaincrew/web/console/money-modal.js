// The event's money (admins and captains): taken by method, refunds, provider payments
// matched and kept unmatched, and bookings whose paid total disagrees with their ledger.
import { apiFetch } from './api.js';
import { clear, h } from './el.js';
import { money } from './format.js';
import { methodName } from './methods.js';
import { openModal } from './modal.js';
import { rosterEvent } from './roster-state.js';
import { ui } from './sel.js';
import { urls } from './urls.js';

function section(title, items) {
  return h('li', {}, h('h3', { text: title }), h('ul', { class: 'plain-list' }, ...(items.length ? items : [h('li', { class: 'muted', text: 'None.' })])));
}

function render(m) {
  const line = (text, cls) => h('li', cls ? { class: cls, text } : { text });
  return [
    section('Taken', Object.entries(m.money_in).map(([k, v]) => line(`${methodName(k)}: ${money(v, m.currency)}`))),
    section('Refunded', Object.entries(m.refunds).map(([k, v]) => line(`${methodName(k)}: ${money(v, m.currency)}`))),
    section('Net', [line(`${money(m.net_cents, m.currency)} (voided ${money(m.voided_cents, m.currency)})`)]),
    section('Online payments on the ledger', m.provider_matched.map((p) => line(`${methodName(p.method)} ${p.reference}: ${money(p.amount_cents, p.currency)}`))),
    section('Online money on no booking', m.provider_unmatched.map((t) => line(`${t.provider} ${t.reference}: ${money(t.amount_cents, t.currency)} · ${t.reason}`, 'form-error'))),
    section('Bookings that disagree with their ledger', m.mismatches.map((b) => line(`${b.name}: booking says ${money(b.booking_paid_cents, m.currency)}, ledger ${money(b.ledger_paid_cents, m.currency)}`, 'form-error'))),
  ];
}

export async function openMoney(opener = ui('showMoney')) {
  const event = rosterEvent();
  ui('moneyTitle').textContent = `Money · ${event.title}`;
  ui('moneyError').textContent = '';
  ui('moneyCsv').href = urls.reconciliationCsv(event.id);
  const list = clear(ui('moneyList'));
  openModal(ui('moneyDialog'), opener);
  try {
    const { events } = await apiFetch(urls.reconciliation(event.id));
    list.append(...render(events[0]));
  } catch (err) {
    ui('moneyError').textContent = err.message;
  }
}
