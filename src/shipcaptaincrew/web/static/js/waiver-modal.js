// Paper waiver: crew confirm they hold a signed paper waiver for a patron.
import { apiFetch } from './api.js';
import { closeModal, openModal } from './modal.js';
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
    const out = await apiFetch(urls.waiver(booking), { method: 'POST', body: { kind: 'paper' } });
    putBooking(out.booking);
    closeModal(ui('waiverDialog'));
    announce(`Paper waiver recorded for ${booking.name}.`);
  } catch (err) {
    ui('waiverError').textContent = err.message;
  } finally {
    current.busy = false;
    ui('waiverSubmit').disabled = false;
  }
}

// Loaded on first use (lazy.js): wiring happens when the module is first imported.
ui('waiverForm').addEventListener('submit', submit);
