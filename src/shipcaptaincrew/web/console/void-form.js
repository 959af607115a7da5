// Voiding a payment: a reason is required; the payment stays on record as voided and
// the booking's balance opens again.
import { apiFetch } from './api.js';
import { putBooking } from './roster-state.js';
import { ui } from './sel.js';
import { announce } from './status.js';
import { urls } from './urls.js';

let current = null;

export function startVoid(paymentId, booking, opener) {
  current = { paymentId, booking, opener, busy: false };
  ui('voidForm').hidden = false;
  ui('voidReason').value = '';
  ui('historyError').textContent = '';
  ui('voidTitle').textContent = `Void this payment for ${booking.name}?`;
  ui('voidReason').focus();
}

function stop() {
  ui('voidForm').hidden = true;
  if (current && current.opener && current.opener.isConnected) current.opener.focus();
  current = null;
}

export function wireVoid(reload) {
  ui('voidCancel').addEventListener('click', stop);
  ui('voidForm').addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!current || current.busy) return;
    const reason = ui('voidReason').value.trim();
    if (!reason) {
      ui('historyError').textContent = 'Give a reason for voiding this payment.';
      ui('voidReason').focus();
      return;
    }
    current.busy = true;
    ui('voidSubmit').disabled = true;
    try {
      const out = await apiFetch(urls.voidPayment(current.paymentId), {
        method: 'POST',
        body: { reason },
      });
      putBooking(out.booking);
      ui('voidForm').hidden = true;
      current = null;
      await reload();
      ui('historyTitle').focus();
      announce(`Payment voided for ${out.booking.name}.`);
    } catch (err) {
      ui('historyError').textContent = err.message;
      if (current) current.busy = false;
    } finally {
      ui('voidSubmit').disabled = false;
    }
  });
}
