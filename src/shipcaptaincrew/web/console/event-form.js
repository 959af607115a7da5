// Create and edit events (admins and captains), including the event's waiver template.
import { apiFetch } from './api.js';
import { amountInput, fromLocalInput, parseMoney, toLocalInput } from './format.js';
import { closeModal, openModal } from './modal.js';
import { rosterHref } from './router.js';
import { rosterEvent } from './roster-state.js';
import { updateEvent } from './roster-view.js';
import { ui } from './sel.js';
import { announce } from './status.js';
import { chosenTemplate, fillTemplates } from './waiver-templates.js';
import { urls } from './urls.js';

let current = null;

export async function openEventForm(event, opener) {
  const f = ui('eventForm').elements;
  current = { event, busy: false };
  ui('eventFormTitle').textContent = event ? 'Edit event' : 'New event';
  f.title.value = event ? event.title : '';
  f.starts_at.value = event ? toLocalInput(event.starts_at) : '';
  f.ends_at.value = event ? toLocalInput(event.ends_at) : '';
  f.location.value = event ? event.location : '';
  f.capacity.value = event && event.capacity ? String(event.capacity) : '';
  f.currency.value = event ? event.currency : '';
  f.price.value = event ? amountInput(event.price_cents, event.currency) : '';
  f.status.value = event ? event.status : 'scheduled';
  ui('eventStatusField').hidden = !event;
  ui('eventError').textContent = '';
  openModal(ui('eventDialog'), opener);
  try {
    await fillTemplates(event && event.waiver_template_id);
  } catch (err) {
    ui('eventError').textContent = `Waiver templates could not be loaded: ${err.message}`;
  }
}

function readForm() {
  const f = ui('eventForm').elements;
  const currency = f.currency.value.trim().toUpperCase() || (current.event ? current.event.currency : 'USD');
  const price = parseMoney(f.price.value, currency);
  if (price === null) throw new Error('Enter the price as a number, for example 45.00.');
  const startsAt = fromLocalInput(f.starts_at.value);
  if (!startsAt) throw new Error('Enter when the event starts.');
  const body = {
    title: f.title.value.trim(),
    starts_at: startsAt,
    ends_at: fromLocalInput(f.ends_at.value),
    location: f.location.value.trim(),
    capacity: f.capacity.value ? Number(f.capacity.value) : null,
    price_cents: price,
    currency,
  };
  if (current.event) body.status = f.status.value;
  return body;
}

async function save(body, template) {
  if (!current.event) {
    if (!body.ends_at) delete body.ends_at;
    const created = await apiFetch(urls.events(), { method: 'POST', body });
    if (template) await apiFetch(urls.event(created.id), { method: 'PATCH', body: { waiver_template_id: template } });
    return created;
  }
  const patch = { ...body };
  if (template !== undefined && template !== (current.event.waiver_template_id || null)) {
    patch.waiver_template_id = template;
  }
  return apiFetch(urls.event(current.event.id), { method: 'PATCH', body: patch });
}

async function submit(e) {
  e.preventDefault();
  if (!current || current.busy) return;
  ui('eventError').textContent = '';
  let body;
  try {
    body = readForm();
  } catch (err) {
    ui('eventError').textContent = err.message;
    return;
  }
  current.busy = true;
  ui('eventSubmit').disabled = true;
  try {
    const saved = await save(body, chosenTemplate());
    closeModal(ui('eventDialog'));
    announce(`Saved “${saved.title}”.`);
    if (current.event) updateEvent(saved);
    else location.hash = rosterHref(saved.id);
  } catch (err) {
    ui('eventError').textContent = err.message;
  } finally {
    current.busy = false;
    ui('eventSubmit').disabled = false;
  }
}

export function openNewEvent(opener) {
  return openEventForm(null, opener);
}

export function openEditEvent(opener) {
  return openEventForm(rosterEvent(), opener);
}

// Loaded on first use (lazy.js): wiring happens when the module is first imported.
ui('eventForm').addEventListener('submit', submit);
