// The weather call (admins and captains): cancel this departure with a reason and a word to
// patrons; each party's plan is proposed (a departure with room, else credit) and can be
// changed before confirming. The result lists each party's step, with the report.
import { apiFetch } from './api.js';
import { clear } from './el.js';
import { openModal } from './modal.js';
import { rosterEvent } from './roster-state.js';
import { ui } from './sel.js';
import { announce } from './status.js';
import { urls } from './urls.js';
import { partyRow, readRow, stepRow } from './weather-rows.js';

let current = null;

function showPlan(plan) {
  clear(ui('weatherList')).append(...plan.steps.map(stepRow));
  ui('weatherForm').hidden = true;
  ui('weatherReport').hidden = false;
  ui('weatherPdf').href = urls.settlementReport(plan.event_id, plan.id, 'pdf');
  ui('weatherCsv').href = urls.settlementReport(plan.event_id, plan.id, 'csv');
  const open = plan.steps.filter((s) => s.state !== 'done').length;
  ui('weatherStatus').textContent = open ? `${open} parties still to settle.` : 'Every party is settled.';
}

export async function openWeather(opener = ui('cancelDeparture')) {
  const event = rosterEvent();
  current = event;
  ui('weatherTitle').textContent = `Cancel departure · ${event.title}`;
  ui('weatherError').textContent = ui('weatherStatus').textContent = '';
  ui('weatherForm').hidden = false;
  ui('weatherReport').hidden = true;
  clear(ui('weatherList'));
  openModal(ui('weatherDialog'), opener);
  try {
    const proposal = await apiFetch(urls.settlementProposal(event.id));
    ui('weatherList').append(...proposal.parties.map(partyRow));
    if (!proposal.parties.length) ui('weatherStatus').textContent = 'Nobody is booked: cancelling only closes the departure.';
  } catch (err) {
    ui('weatherError').textContent = err.message;
  }
}

ui('weatherForm').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  if (!current) return;
  const form = new FormData(ui('weatherForm'));
  const body = {
    reason: form.get('reason'),
    message: form.get('message'),
    credit_valid_days: Number(form.get('credit_valid_days')),
    allow_refund_request: form.get('allow_refund_request') === 'on',
    parties: Array.from(ui('weatherList').children, readRow),
  };
  ui('weatherError').textContent = '';
  try {
    const plan = await apiFetch(urls.cancellation(current.id), { method: 'POST', body });
    showPlan(plan);
    announce('Departure cancelled; every party is told.');
  } catch (err) {
    ui('weatherError').textContent = err.message;
  }
});
