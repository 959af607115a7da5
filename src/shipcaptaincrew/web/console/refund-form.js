// Refunding a payment (admins and captains): all or part of it, with a reason. Cash and
// other methods are recorded at once; Stripe and PayPal refunds are asked of the provider
// and appear in the history when it confirms.
import { apiFetch } from './api.js';
import { amountInput, money, parseMoney } from './format.js';
import { putBooking } from './roster-state.js';
import { ui } from './sel.js';
import { announce } from './status.js';
import { urls } from './urls.js';

let current = null;

export function startRefund(payment, booking, opener) {
  current = { payment, booking, opener, busy: false };
  ui('voidForm').hidden = true;
  ui('refundForm').hidden = false;
  ui('refundAmount').value = amountInput(payment.refundable_cents, payment.currency);
  ui('refundReason').value = '';
  ui('historyError').textContent = '';
  ui('refundTitle').textContent = `Refund up to ${money(payment.refundable_cents, payment.currency)} to ${booking.name}`;
  ui('refundAmount').focus();
}

function stop() {
  ui('refundForm').hidden = true;
  if (current && current.opener && current.opener.isConnected) current.opener.focus();
  current = null;
}

export function wireRefund(reload) {
  ui('refundCancel').addEventListener('click', stop);
  ui('refundForm').addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!current || current.busy) return;
    const reason = ui('refundReason').value.trim();
    const cents = parseMoney(ui('refundAmount').value, current.payment.currency);
    if (!reason || !(cents > 0)) {
      ui('historyError').textContent = 'Give an amount and a reason for the refund.';
      return;
    }
    current.busy = true;
    ui('refundSubmit').disabled = true;
    try {
      const out = await apiFetch(urls.refundPayment(current.payment.id), {
        method: 'POST',
        body: { amount_cents: cents, reason },
      });
      putBooking(out.booking);
      ui('refundForm').hidden = true;
      current = null;
      await reload();
      ui('historyTitle').focus();
      announce(out.status === 'requested' ? 'Refund asked of the provider; it shows here once confirmed.' : `Refund recorded for ${out.booking.name}.`);
    } catch (err) {
      ui('historyError').textContent = err.message;
      if (current) current.busy = false;
    } finally {
      ui('refundSubmit').disabled = false;
    }
  });
}
