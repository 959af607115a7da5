// Headcount on a checked-in card: persons of the party aboard and back (a party can
// split). Each tap moves the card's counts at once; the counts are sent as they stand when
// the one before is answered, so taps made while a request is on its way (a slow signal)
// all count, and only the latest counts go (they are absolute). With no signal they are
// queued on the phone.
import { newKey } from './ids.js';
import { perform } from './offline-queue.js';
import { setTapped, tappedFor, withPending } from './pending.js';
import { putBooking } from './roster-state.js';
import { showError } from './status.js';
import { urls } from './urls.js';

const STEPS = {
  'aboard-up': (v) => ({ aboard: v.aboard + 1, returned: v.returned }),
  'aboard-down': (v) => ({ aboard: v.aboard - 1, returned: Math.min(v.returned, v.aboard - 1) }),
  'back-up': (v) => ({ aboard: v.aboard, returned: v.returned + 1 }),
  'back-down': (v) => ({ aboard: v.aboard, returned: v.returned - 1 }),
};

const sending = new Set(); // the headcount URLs of bookings with a request on its way

export async function stepHeadcount(booking, button) {
  const view = withPending(booking);
  const next = STEPS[button.dataset.step]({ aboard: view.aboard || 0, returned: view.returned || 0 });
  if (next.aboard < 0 || next.returned < 0 || next.aboard > view.party_size || next.returned > next.aboard) return;
  setTapped(booking, next);
  const url = urls.headcount(booking); // one booking's: its event's and patron's
  if (sending.has(url)) return; // sent when the request on its way is answered
  sending.add(url);
  try {
    for (let counts = tappedFor(booking); counts; counts = tappedFor(booking)) {
      const { out } = await perform({
        kind: 'headcount',
        url,
        body: counts,
        key: newKey(),
        patronIds: [booking.patron_id],
        label: `aboard ${counts.aboard}, back ${counts.returned}`,
      });
      if (out) putBooking(out);
      if (tappedFor(booking) === counts) setTapped(booking, null); // no tap since: settled
    }
  } catch (err) {
    setTapped(booking, null);
    showError(err);
  } finally {
    sending.delete(url);
  }
}
