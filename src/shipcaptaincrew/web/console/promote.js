// Book a waitlisted patron once a place has freed (admins and captains). The server
// checks the party against the places left; a full event answers with a plain message.
import { apiFetch } from './api.js';
import { setBusy } from './el.js';
import { putBooking } from './roster-state.js';
import { announce, showError } from './status.js';
import { urls } from './urls.js';

export async function promoteBooking(booking, button) {
  setBusy(button, true);
  try {
    const updated = putBooking(await apiFetch(urls.promote(booking), { method: 'POST' }));
    announce(`${updated.name} is booked (was on the waitlist).`);
  } catch (err) {
    setBusy(button, false);
    showError(err);
  }
}
