// Headcount on a checked-in card: persons of the party aboard and back (a party can
// split). Each tap sends the new counts (queued on the phone when there is no signal).
import { setBusy } from './el.js';
import { newKey } from './ids.js';
import { perform } from './offline-queue.js';
import { withPending } from './pending.js';
import { putBooking } from './roster-state.js';
import { showError } from './status.js';
import { urls } from './urls.js';

const STEPS = {
  'aboard-up': (v) => ({ aboard: v.aboard + 1, returned: v.returned }),
  'aboard-down': (v) => ({ aboard: v.aboard - 1, returned: Math.min(v.returned, v.aboard - 1) }),
  'back-up': (v) => ({ aboard: v.aboard, returned: v.returned + 1 }),
  'back-down': (v) => ({ aboard: v.aboard, returned: v.returned - 1 }),
};

export async function stepHeadcount(booking, button) {
  const view = withPending(booking);
  const next = STEPS[button.dataset.step]({ aboard: view.aboard || 0, returned: view.returned || 0 });
  if (next.aboard < 0 || next.returned < 0 || next.aboard > view.party_size || next.returned > next.aboard) return;
  setBusy(button, true);
  try {
    const { out } = await perform({
      kind: 'headcount',
      url: urls.headcount(booking),
      body: next,
      key: newKey(),
      patronIds: [booking.patron_id],
      label: `aboard ${next.aboard}, back ${next.returned}`,
    });
    if (out) putBooking(out);
  } catch (err) {
    setBusy(button, false);
    showError(err);
  }
}
