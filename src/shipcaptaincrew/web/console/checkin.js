// Check-in toggle with undo: one tap checks a patron in (or out); the status message
// offers Undo for a few seconds. With no signal the tap is queued on the phone and the
// card shows it at once, marked as waiting to send.
import { setBusy } from './el.js';
import { newKey } from './ids.js';
import { lazy } from './lazy.js';
import { perform } from './offline-queue.js';
import { withPending } from './pending.js';
import { getBooking, putBooking } from './roster-state.js';
import { announce, showError } from './status.js';
import { urls } from './urls.js';

const QUEUED = ' Saved on this phone: it is sent when the connection is back.';

const openGate = lazy('gate', 'openGate');

// Boarding needs payment and every waiver; the gate shows what is missing.
function stoppedAtGate(b) {
  return b.status === 'booked' && (!b.payment_cleared || !b.waiver_signed);
}

async function setCheckedIn(booking, checkedIn, boardAnyway = null) {
  const body = { checked_in: checkedIn };
  if (boardAnyway) body.board_anyway = boardAnyway;
  const { out } = await perform({
    kind: 'checkin',
    url: urls.attendance(booking),
    body,
    key: newKey(),
    patronIds: [booking.patron_id],
    label: checkedIn ? 'check-in' : 'undo check-in',
  });
  return out ? { booking: putBooking(out), queued: false } : { booking: getBooking(booking.patron_id), queued: true };
}

export async function toggleCheckIn(booking, button) {
  const view = withPending(booking);
  const next = !view.checked_in;
  if (next && stoppedAtGate(view)) {
    openGate(booking, button);
    return;
  }
  setBusy(button, true);
  try {
    const { booking: updated, queued } = await setCheckedIn(booking, next);
    const said = next ? `${updated.name} checked in.` : `${updated.name} is no longer checked in.`;
    announce(queued ? said + QUEUED : said, { undo: () => undo(updated, !next), near: button });
  } catch (err) {
    setBusy(button, false);
    showError(err);
  }
}

// "Board anyway" at the gate: the reason goes to the server, which audits it.
export async function checkInAnyway(booking, reason, button) {
  const { booking: updated, queued } = await setCheckedIn(booking, true, reason);
  const said = `${updated.name} checked in (boarded anyway: ${reason}).`;
  announce(queued ? said + QUEUED : said, { near: button });
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
