// Giving a patron credit by hand (admins and captains), from their payment history: an
// amount in the booking's currency, a reason and how long it stays valid. The server
// records it in the patron's credit ledger with an audit entry.
import { apiFetch } from './api.js';
import { money, parseMoney } from './format.js';
import { getBooking, putBooking } from './roster-state.js';
import { ui } from './sel.js';
import { isManager } from './session.js';
import { announce } from './status.js';
import { urls } from './urls.js';

let booking = null;

export function showCreditButton(forBooking) {
  booking = forBooking;
  ui('creditOpen').hidden = !isManager();
  ui('creditForm').hidden = true;
}

export function wireCredit(reload) {
  ui('creditOpen').addEventListener('click', () => {
    ui('creditForm').reset();
    ui('creditForm').hidden = false;
    ui('creditForm').elements.amount.focus();
  });
  ui('creditCancel').addEventListener('click', () => { ui('creditForm').hidden = true; });
  ui('creditForm').addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!booking) return;
    const f = ui('creditForm').elements;
    const cents = parseMoney(f.amount.value, booking.currency);
    ui('historyError').textContent = '';
    if (!cents || cents <= 0) {
      ui('historyError').textContent = 'Enter the credit as an amount, for example 25.00.';
      return;
    }
    const body = { amount_cents: cents, currency: booking.currency, reason: f.reason.value, valid_days: Number(f.valid_days.value) };
    try {
      const out = await apiFetch(urls.credit(booking.patron_id), { method: 'POST', body });
      const left = out.balances.find((b) => b.currency === booking.currency);
      const known = getBooking(booking.patron_id);
      if (known) putBooking({ ...known, credit_cents: left ? left.cents : 0 });
      ui('creditForm').hidden = true;
      await reload();
      announce(`${money(cents, booking.currency)} credit given to ${booking.name}.`);
    } catch (err) {
      ui('historyError').textContent = err.message;
    }
  });
}
