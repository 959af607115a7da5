// One listener on the roster list sends each card button to its behaviour.
import { getBooking, setPicked } from './roster-state.js';
import { updateBatchBar } from './batch-bar.js';
import { isBusy } from './el.js';
import { toggleCheckIn } from './checkin.js';
import { stepHeadcount } from './headcount.js';
import { lazy } from './lazy.js';
import { dismissItem, retryItem } from './offline-queue.js';
import { openPayment } from './payment-modal.js';
import { promoteBooking } from './promote.js';
import { ui } from './sel.js';

const HANDLERS = {
  pay: openPayment,
  promote: promoteBooking,
  checkin: toggleCheckIn,
  waiver: lazy('waiver', 'openWaiver'),
  history: lazy('history', 'openHistory'),
  rebook: lazy('rebook', 'openRebook'),
  'send-link': lazy('guestLink', 'sendLink'),
  qr: lazy('guestLink', 'showQr'),
  headcount: stepHeadcount,
  retry: (booking, button) => retryItem(Number(button.dataset.seq)),
  dismiss: (booking, button) => dismissItem(Number(button.dataset.seq)),
};

export function wireRosterActions() {
  const list = ui('rosterList');
  list.addEventListener('click', (event) => {
    const target = event.target.closest('button[data-action]');
    if (!target || isBusy(target)) return;
    const card = target.closest('li[data-patron]');
    const booking = card && getBooking(card.dataset.patron);
    const handler = HANDLERS[target.dataset.action];
    if (booking && handler) handler(booking, target);
  });
  list.addEventListener('change', (event) => {
    const box = event.target;
    if (box.dataset.action !== 'pick') return;
    setPicked(box.closest('li[data-patron]').dataset.patron, box.checked);
    updateBatchBar();
  });
}
