// Book a waitlisted patron once a place has freed (admins and captains). The server
// checks the party against the places left; a full event answers with a plain message.
import { apiFetch } from './api.js';
import { putBooking } from './roster-state.js';
import { announce, showError } from './status.js';

export async function promoteBooking(booking, button) {
  if (button) button.disabled = true;
  const url = `/api/events/${encodeURIComponent(booking.event_id)}/${encodeURIComponent(booking.patron_id)}/promote`;
  try {
    const updated = putBooking(await apiFetch(url, { method: 'POST' }));
    announce(`${updated.name} is booked (was on the waitlist).`);
  } catch (err) {
    if (button && button.isConnected) button.disabled = false;
    showError(err);
  }
}
