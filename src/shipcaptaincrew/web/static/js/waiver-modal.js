// Paper waiver: crew confirm they hold a signed paper waiver for a patron (queued on the
// phone when there is no signal).
import { newKey } from './ids.js';
import { closeModal, openModal } from './modal.js';
import { perform } from './offline-queue.js';
import { putBooking } from './roster-state.js';
import { ui } from './sel.js';
import { announce } from './status.js';
import { urls } from './urls.js';

let current = null;

export function openWaiver(booking, opener) {
  current = { booking, busy: false };
  ui('waiverPatron').textContent = booking.name;
  ui('waiverError').textContent = '';
  ui('waiverSubmit').disabled = false;
  openModal(ui('waiverDialog'), opener);
  ui('waiverSubmit').focus();
}

async function submit(event) {
  event.preventDefault();
  if (!current || current.busy) return;
  const { booking } = current;
  current.busy = true;
  ui('waiverSubmit').disabled = true;
  try {
    const { out } = await perform({
      kind: 'waiver',
      url: urls.waiver(booking),
      body: { kind: 'paper' },
      key: newKey(),
      patronIds: [booking.patron_id],
      label: 'paper waiver',
    });
    if (out) putBooking(out.booking);
    closeModal(ui('waiverDialog'));
    announce(
      out
        ? `Paper waiver recorded for ${booking.name}.`
        : `Paper waiver for ${booking.name} saved on this phone: it is sent when the connection is back.`,
    );
  } catch (err) {
    ui('waiverError').textContent = err.message;
  } finally {
    current.busy = false;
    ui('waiverSubmit').disabled = false;
  }
}

// Loaded on first use (lazy.js): wiring happens when the module is first imported.
ui('waiverForm').addEventListener('submit', submit);
