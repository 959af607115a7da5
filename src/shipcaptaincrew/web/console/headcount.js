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

const sending = new Set(); // patron ids with a headcount request on its way

export async function stepHeadcount(booking, button) {
  const view = withPending(booking);
  const next = STEPS[button.dataset.step]({ aboard: view.aboard || 0, returned: view.returned || 0 });
  if (next.aboard < 0 || next.returned < 0 || next.aboard > view.party_size || next.returned > next.aboard) return;
  const id = booking.patron_id;
  setTapped(id, next);
  if (sending.has(id)) return; // sent when the request on its way is answered
  sending.add(id);
  try {
    for (let counts = tappedFor(id); counts; counts = tappedFor(id)) {
      const { out } = await perform({
        kind: 'headcount',
        url: urls.headcount(booking),
        body: counts,
        key: newKey(),
        patronIds: [id],
        label: `aboard ${counts.aboard}, back ${counts.returned}`,
      });
      if (out) putBooking(out);
      if (tappedFor(id) === counts) setTapped(id, null); // no tap since: the card is settled
    }
  } catch (err) {
    setTapped(id, null);
    showError(err);
  } finally {
    sending.delete(id);
  }
}
