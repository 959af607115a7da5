// Log Payment: opened from a card. The Idempotency-Key is made when the modal opens, so
// a double tap or a retry after a lost connection can never log the payment twice. With
// no signal the payment is queued on the phone (with that key and the time it was taken).
import { refreshBooking } from './booking-refresh.js';
import { amountInput, centsInMoney, clock, money, parseMoney, when } from './format.js';
import { newKey } from './ids.js';
import { fillMethods, methodName } from './methods.js';
import { closeModal, openModal } from './modal.js';
import { perform } from './offline-queue.js';
import { renderPaymentCard } from './roster-card.js';
import { rosterEvent } from './roster-state.js';
import { ui } from './sel.js';
import { announce } from './status.js';
import { urls } from './urls.js';


// A payment from credit lowers the credit the card shows by what it took.
function spentCredit(out, booking) {
  if (out.payment.method !== 'credit' || !booking.credit_cents) return out.booking;
  return { ...out.booking, credit_cents: Math.max(0, booking.credit_cents - out.payment.amount_cents) };
}
let current = null;

export function openPayment(booking, opener) {
  const event = rosterEvent();
  const form = ui('payForm');
  current = { booking, event, key: newKey(), busy: false, opener };
  fillMethods(ui('payMethod'));
  ui('payPatron').textContent = booking.name;
  ui('payEvent').textContent = `${event.title} · ${when(event.starts_at)}`;
  ui('payOwed').textContent = money(booking.amount_due_cents, booking.currency);
  ui('payLeft').textContent = money(booking.balance_cents, booking.currency);
  ui('payCurrency').textContent = booking.currency;
  form.elements.amount.value = amountInput(booking.balance_cents, booking.currency);
  form.elements.method.value = 'cash';
  form.elements.reference.value = '';
  form.elements.note.value = '';
  ui('payExisting').hidden = true;
  ui('payError').textContent = '';
  ui('paySubmit').disabled = false;
  openModal(ui('payDialog'), opener);
}

function showExisting(p, currency) {
  const box = ui('payExisting');
  const receipt = p.receipt_no ? `, receipt ${p.receipt_no}` : '';
  box.textContent = `Already logged: ${money(p.amount_cents, currency)} by ${methodName(p.method)}, logged by ${p.logged_by} at ${clock(p.logged_at)}${receipt}. Nothing new was logged.`;
  box.hidden = false;
}

async function submit(event) {
  event.preventDefault();
  if (!current || current.busy) return;
  const form = ui('payForm');
  const { booking, key } = current;
  const amount = parseMoney(form.elements.amount.value, booking.currency);
  ui('payError').textContent = '';
  if (amount === null) {
    ui('payError').textContent = 'Enter the amount as a number, for example 12.50.';
    form.elements.amount.focus();
    return;
  }
  current.busy = true;
  ui('paySubmit').disabled = true;
  const body = {
    amount_cents: amount,
    method: form.elements.method.value,
    reference: form.elements.reference.value.trim(),
    note: form.elements.note.value.trim(),
  };
  const label = `${money(amount, booking.currency)} ${methodName(body.method)}`;
  try {
    const { out } = await perform({
      kind: 'payment',
      url: urls.payment(booking),
      body,
      key,
      patronIds: [booking.patron_id],
      label: `payment of ${label}`,
    });
    if (out) renderPaymentCard(spentCredit(out, booking));
    closeModal(ui('payDialog'));
    const said = out
      ? `${money(out.payment.amount_cents, out.payment.currency)} ${methodName(out.payment.method)} logged for ${booking.name}.`
      : `${label} for ${booking.name} saved on this phone: it is sent when the connection is back.`;
    announce(said, { near: current.opener });
  } catch (err) {
    if (err.status === 409 && err.details && err.details.payment) showExisting(err.details.payment, booking.currency);
    else ui('payError').textContent = centsInMoney(err.message, booking.currency);
    if (err.status === 409) refreshBooking(booking).catch(() => {});
  } finally {
    current.busy = false;
    ui('paySubmit').disabled = false;
  }
}

export function wirePayment() {
  ui('payForm').addEventListener('submit', submit);
}
