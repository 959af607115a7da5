// Payment history for one booking, with receipt downloads and (admins and captains)
// voiding a payment or refunding it, with a reason.
import { apiFetch } from './api.js';
import { showCreditButton, wireCredit } from './credit-form.js';
import { clear, h } from './el.js';
import { money, when } from './format.js';
import { methodName } from './methods.js';
import { openModal } from './modal.js';
import { currentCrew, isManager } from './session.js';
import { ui } from './sel.js';
import { announce } from './status.js';
import { wireRefund, startRefund } from './refund-form.js';
import { wireVoid, startVoid } from './void-form.js';
import { urls } from './urls.js';

let current = null;

// The API names the voider by crew id; we can name the people we know.
function voider(p) {
  const me = currentCrew();
  if (me && p.voided_by === me.id) return ` by ${me.name}`;
  if (p.voided_by === p.logged_by_id) return ` by ${p.logged_by}`;
  return '';
}

// What is left to refund of each payment: its amount less its refunds that stand.
function refundable(payments) {
  const left = new Map(payments.filter((p) => !p.refund_of).map((p) => [p.id, p.amount_cents]));
  for (const p of payments) {
    if (p.refund_of && !p.voided && left.has(p.refund_of)) left.set(p.refund_of, left.get(p.refund_of) + p.amount_cents);
  }
  return left;
}

function paymentItem(p, left) {
  const kind = p.refund_of ? 'Refund · ' : '';
  const text = `${kind}${money(p.amount_cents, p.currency)} · ${methodName(p.method)}`;
  const by = `Logged by ${p.logged_by}, ${when(p.logged_at)}`;
  const extra = [p.reference && `Reference: ${p.reference}`, p.note && `Note: ${p.note}`];
  return h(
    'li',
    { class: `payment${p.voided ? ' is-voided' : ''}`, data: { payment: p.id } },
    h('p', { class: 'payment-amount' }, h('strong', { text }), p.voided ? ' · VOIDED' : ''),
    h('p', { text: by }),
    ...extra.filter(Boolean).map((t) => h('p', { text: t })),
    p.voided ? h('p', { text: `Voided${voider(p)}: ${p.void_reason || ''}` }) : null,
    h(
      'div',
      { class: 'card-actions' },
      h('a', { class: 'btn', href: urls.receipt(p.id), download: `receipt-${p.receipt_no || p.id}.pdf`, text: `Receipt ${p.receipt_no ? `#${p.receipt_no}` : ''}`.trim() }),
      isManager() && !p.voided
        ? h('button', { type: 'button', class: 'btn btn-danger', data: { void: p.id }, text: 'Void' })
        : null,
      isManager() && !p.voided && !p.refund_of && (left.get(p.id) || 0) > 0
        ? h('button', { type: 'button', class: 'btn', data: { refund: p.id }, text: 'Refund' })
        : null,
    ),
  );
}

export async function loadHistory() {
  const { booking } = current;
  const s = await apiFetch(urls.payment(booking));
  ui('historySummary').textContent = `Paid ${money(s.amount_paid_cents, s.currency)} of ${money(s.amount_due_cents, s.currency)}${s.payment_cleared ? ' · paid in full' : ` · ${money(s.balance_cents, s.currency)} left`}${s.credit_cents ? ` · credit ${money(s.credit_cents, s.currency)} (pay with method Credit)` : ''}`;
  const list = clear(ui('historyList'));
  if (!s.payments.length) list.append(h('li', { text: 'No payments yet.' }));
  ui('historyPayLink').hidden = s.payment_cleared || !(s.balance_cents > 0);
  const left = refundable(s.payments);
  current.payments = new Map(s.payments.map((p) => [p.id, { ...p, refundable_cents: left.get(p.id) || 0 }]));
  list.append(...s.payments.map((p) => paymentItem(p, left)));
}

export async function openHistory(booking, opener) {
  current = { booking };
  ui('historyTitle').textContent = `Payments · ${booking.name}`;
  ui('historyError').textContent = '';
  ui('voidForm').hidden = true;
  ui('refundForm').hidden = true;
  showCreditButton(booking);
  clear(ui('historyList'));
  ui('historySummary').textContent = 'Loading…';
  openModal(ui('historyDialog'), opener);
  try {
    await loadHistory();
  } catch (err) {
    ui('historyError').textContent = err.message;
  }
}

// Loaded on first use (lazy.js): wiring happens when the module is first imported.
ui('historyList').addEventListener('click', (event) => {
  const button = event.target.closest('button[data-void]');
  if (button && current) startVoid(button.dataset.void, current.booking, button);
  const refund = event.target.closest('button[data-refund]');
  if (refund && current && current.payments) startRefund(current.payments.get(refund.dataset.refund), current.booking, refund);
});
wireVoid(loadHistory);
wireRefund(loadHistory);
wireCredit(loadHistory);
// Any crew member can email the patron their guest link to pay the balance online.
ui('historyPayLink').addEventListener('click', async () => {
  if (!current) return;
  ui('historyError').textContent = '';
  try {
    await apiFetch(urls.payLink(current.booking), { method: 'POST' });
    announce(`Pay link emailed to ${current.booking.name}.`);
  } catch (err) {
    ui('historyError').textContent = err.message;
  }
});
