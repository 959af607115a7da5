// Add one patron to the open event's roster (admins and captains).
import { apiFetch } from './api.js';
import { closeModal, openModal } from './modal.js';
import { putBooking, rosterEvent } from './roster-state.js';
import { ui } from './sel.js';
import { announce } from './status.js';
import { urls } from './urls.js';

let busy = false;

export function addPatron(eventId, row) {
  return apiFetch(urls.roster(eventId), { method: 'POST', body: row });
}

async function submit(event) {
  event.preventDefault();
  if (busy) return;
  const f = ui('patronForm').elements;
  busy = true;
  ui('patronSubmit').disabled = true;
  ui('patronError').textContent = '';
  try {
    const booking = await addPatron(rosterEvent().id, {
      name: f.name.value.trim(),
      email: f.email.value.trim(),
      phone: f.phone.value.trim(),
      party_size: Number(f.party_size.value || 1),
    });
    putBooking(booking);
    ui('patronForm').reset();
    closeModal(ui('patronDialog'));
    announce(`${booking.name} added to the roster.`);
  } catch (err) {
    ui('patronError').textContent = err.message;
  } finally {
    busy = false;
    ui('patronSubmit').disabled = false;
  }
}

export function openPatronForm(opener) {
  ui('patronError').textContent = '';
  openModal(ui('patronDialog'), opener);
}

// Loaded on first use (lazy.js): wiring happens when the module is first imported.
ui('patronForm').addEventListener('submit', submit);
