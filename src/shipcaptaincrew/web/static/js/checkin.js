// Check-in toggle with undo: one tap checks a patron in (or out); the status message
// offers Undo for a few seconds. With no signal the tap is queued on the phone and the
// card shows it at once, marked as waiting to send.
import { newKey } from './ids.js';
import { perform } from './offline-queue.js';
import { withPending } from './pending.js';
import { getBooking, putBooking } from './roster-state.js';
import { announce, showError } from './status.js';
import { urls } from './urls.js';

const QUEUED = ' Saved on this phone: it is sent when the connection is back.';

async function setCheckedIn(booking, checkedIn) {
  const { out } = await perform({
    kind: 'checkin',
    url: urls.attendance(booking),
    body: { checked_in: checkedIn },
    key: newKey(),
    patronIds: [booking.patron_id],
    label: checkedIn ? 'check-in' : 'undo check-in',
  });
  return out ? { booking: putBooking(out), queued: false } : { booking: getBooking(booking.patron_id), queued: true };
}

export async function toggleCheckIn(booking, button) {
  const next = !withPending(booking).checked_in;
  if (button) button.disabled = true;
  try {
    const { booking: updated, queued } = await setCheckedIn(booking, next);
    const said = next ? `${updated.name} checked in.` : `${updated.name} is no longer checked in.`;
    announce(queued ? said + QUEUED : said, { undo: () => undo(updated, !next), near: button });
  } catch (err) {
    if (button && button.isConnected) button.disabled = false;
    showError(err);
  }
}

async function undo(booking, checkedIn) {
  try {
    const { booking: updated, queued } = await setCheckedIn(booking, checkedIn);
    const said = `Undone: ${updated.name} is ${checkedIn ? 'checked in' : 'not checked in'}.`;
    announce(queued ? said + QUEUED : said);
  } catch (err) {
    showError(err);
  }
}
