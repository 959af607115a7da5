// Check-in toggle with undo: one tap checks a patron in (or out); the status message
// offers Undo for a few seconds.
import { apiFetch } from './api.js';
import { putBooking } from './roster-state.js';
import { announce, showError } from './status.js';
import { urls } from './urls.js';

async function setCheckedIn(booking, checkedIn) {
  const out = await apiFetch(urls.attendance(booking), { method: 'POST', body: { checked_in: checkedIn } });
  return putBooking(out);
}

export async function toggleCheckIn(booking, button) {
  const next = !booking.checked_in;
  if (button) button.disabled = true;
  try {
    const updated = await setCheckedIn(booking, next);
    announce(next ? `${updated.name} checked in.` : `${updated.name} is no longer checked in.`, {
      undo: () => undo(updated, !next),
    });
  } catch (err) {
    if (button && button.isConnected) button.disabled = false;
    showError(err);
  }
}

async function undo(booking, checkedIn) {
  try {
    const updated = await setCheckedIn(booking, checkedIn);
    announce(`Undone: ${updated.name} is ${checkedIn ? 'checked in' : 'not checked in'}.`);
  } catch (err) {
    showError(err);
  }
}
