// The boarding gate: checking in someone unpaid or without a waiver shows what is missing,
// with "Collect now" (the payment), "Sign now" (the guest page's waiver, to hand the phone
// to the patron) and "Board anyway" (a reason is required; the server audits it).
import { checkInAnyway } from './checkin.js';
import { clear, h } from './el.js';
import { money } from './format.js';
import { closeModal, openModal } from './modal.js';
import { openPayment } from './payment-modal.js';
import { ui } from './sel.js';

let current = null;

function gaps(b) {
  const out = [];
  if (!b.payment_cleared) out.push(`Payment: ${money(b.balance_cents, b.currency)} left to pay`);
  if (!b.waiver_signed) out.push('Waiver: not signed');
  return out;
}

export function openGate(booking, opener) {
  current = { booking, opener, busy: false };
  ui('gatePatron').textContent = booking.name;
  clear(ui('gateMissing')).append(...gaps(booking).map((text) => h('li', { text })));
  ui('gateCollect').hidden = Boolean(booking.payment_cleared);
  ui('gateSign').hidden = Boolean(booking.waiver_signed);
  ui('gateSign').href = `${booking.guest_url}/waiver`;
  ui('gateForm').elements.reason.value = '';
  ui('gateError').textContent = '';
  openModal(ui('gateDialog'), opener);
}

async function submit(event) {
  event.preventDefault();
  if (!current || current.busy) return;
  const reason = ui('gateForm').elements.reason.value.trim();
  if (!reason) {
    ui('gateError').textContent = 'Give a reason to board anyway (for example: paying by invoice).';
    ui('gateForm').elements.reason.focus();
    return;
  }
  current.busy = true;
  try {
    await checkInAnyway(current.booking, reason, current.opener);
    closeModal(ui('gateDialog'));
  } catch (err) {
    ui('gateError').textContent = err.message;
  } finally {
    current.busy = false;
  }
}

ui('gateForm').addEventListener('submit', submit);
ui('gateCollect').addEventListener('click', () => {
  const { booking, opener } = current;
  closeModal(ui('gateDialog'));
  openPayment(booking, opener);
});
