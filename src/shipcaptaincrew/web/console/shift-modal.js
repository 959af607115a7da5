// Move a whole departure in time (admins and captains): the new start and end, a reason
// and a word to patrons. Everyone keeps their booking and gets one email with the new
// time and a link to cancel if it no longer suits.
import { apiFetch } from './api.js';
import { fromLocalInput, toLocalInput, when } from './format.js';
import { openModal } from './modal.js';
import { rosterEvent } from './roster-state.js';
import { updateEvent } from './roster-view.js';
import { ui } from './sel.js';
import { announce } from './status.js';
import { urls } from './urls.js';

let current = null;

export function openShift(opener = ui('shiftDeparture')) {
  const event = rosterEvent();
  const f = ui('shiftForm').elements;
  current = event;
  ui('shiftTitle').textContent = `Move departure · ${event.title}`;
  f.starts_at.value = toLocalInput(event.starts_at);
  f.ends_at.value = toLocalInput(event.ends_at);
  ui('shiftError').textContent = ui('shiftStatus').textContent = '';
  ui('shiftForm').hidden = false;
  openModal(ui('shiftDialog'), opener);
}

ui('shiftForm').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  if (!current) return;
  const f = ui('shiftForm').elements;
  const startsAt = fromLocalInput(f.starts_at.value);
  ui('shiftError').textContent = '';
  if (!startsAt) {
    ui('shiftError').textContent = 'Enter the new start.';
    return;
  }
  const body = { starts_at: startsAt, ends_at: fromLocalInput(f.ends_at.value), reason: f.reason.value, message: f.message.value };
  try {
    const plan = await apiFetch(urls.shift(current.id), { method: 'POST', body });
    const told = plan.steps.filter((s) => s.state === 'done').length;
    ui('shiftForm').hidden = true;
    ui('shiftStatus').textContent = `Moved to ${when(plan.new_starts_at)}; ${told} of ${plan.steps.length} parties told.`;
    updateEvent(await apiFetch(urls.event(current.id)));
    announce('Departure moved; every party is told.');
  } catch (err) {
    ui('shiftError').textContent = err.message;
  }
});
