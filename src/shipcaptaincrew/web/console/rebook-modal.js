// Rebook one party on another departure (admins and captains): the departures with room
// for it, nearest in time first; the price it booked at or the new departure's. The party
// keeps its seats and the waivers that still stand; its money goes with it as credit.
import { apiFetch } from './api.js';
import { clear, h } from './el.js';
import { when } from './format.js';
import { openModal } from './modal.js';
import { refreshBooking } from './booking-refresh.js';
import { ui } from './sel.js';
import { announce } from './status.js';
import { urls } from './urls.js';

let current = null;

function optionLabel(o) {
  const room = o.room === null ? 'room' : `${o.room} places left`;
  return `${o.title} · ${when(o.starts_at)} · ${room}`;
}

export async function openRebook(booking, opener) {
  current = booking;
  ui('rebookTitle').textContent = `Rebook · ${booking.name}`;
  ui('rebookError').textContent = ui('rebookStatus').textContent = '';
  ui('rebookForm').hidden = false;
  const target = clear(ui('rebookTarget'));
  openModal(ui('rebookDialog'), opener);
  try {
    const { options } = await apiFetch(urls.rebookOptions(booking));
    target.append(...options.map((o) => h('option', { value: o.event_id, text: optionLabel(o) })));
    if (!options.length) ui('rebookStatus').textContent = 'No other departure has room for this party.';
  } catch (err) {
    ui('rebookError').textContent = err.message;
  }
}

ui('rebookForm').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  if (!current) return;
  const f = ui('rebookForm').elements;
  const body = { move_to: f.move_to.value, reprice: f.reprice.checked, reason: f.reason.value, message: f.message.value };
  ui('rebookError').textContent = '';
  if (!body.move_to) {
    ui('rebookError').textContent = 'Choose a departure.';
    return;
  }
  try {
    const plan = await apiFetch(urls.rebook(current), { method: 'POST', body });
    const [step] = plan.steps;
    if (step.state !== 'done') {
      ui('rebookError').textContent = step.error || 'The party could not be moved.';
      return;
    }
    ui('rebookForm').hidden = true;
    ui('rebookStatus').textContent = `${step.patron_name} moved to ${step.outcome.moved_to_title || step.move_to}; they are told by email.`;
    await refreshBooking(current);
    announce(`${step.patron_name} is rebooked.`);
  } catch (err) {
    ui('rebookError').textContent = err.message;
  }
});
