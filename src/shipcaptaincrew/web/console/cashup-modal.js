// The event's cash-up: what the ledger says each crew member took by method, what they
// counted, the difference with a note. Crew count their own; admins and captains see and
// count everyone's, close it, and download it as PDF or CSV.
import { apiFetch } from './api.js';
import { clear, h } from './el.js';
import { amountInput, money, parseMoney } from './format.js';
import { methodName } from './methods.js';
import { openModal } from './modal.js';
import { rosterEvent } from './roster-state.js';
import { currentCrew, isManager } from './session.js';
import { ui } from './sel.js';
import { announce } from './status.js';
import { urls } from './urls.js';

let current = null;

function rowItem(r, currency) {
  const diff = r.difference_cents === null ? 'not counted' : `difference ${money(r.difference_cents, currency)}`;
  const counted = h('input', { type: 'text', inputmode: 'decimal', autocomplete: 'off', 'aria-label': `Counted ${methodName(r.method)} for ${r.crew_name}`, value: r.counted_cents === null ? '' : amountInput(r.counted_cents, currency) });
  const note = h('input', { type: 'text', maxlength: '500', 'aria-label': 'Note', value: r.note });
  const save = h('button', { type: 'button', class: 'btn', text: 'Save count' });
  save.addEventListener('click', () => saveCount(r, counted.value, note.value, currency));
  return h(
    'li',
    { class: r.difference_cents ? 'payment is-voided' : 'payment', data: { crew: r.crew_id, method: r.method } },
    h('p', {}, h('strong', { text: `${r.crew_name} · ${methodName(r.method)}` }), ` · ledger ${money(r.expected_cents, currency)} · ${diff}${r.after_close ? ' · after closing' : ''}`),
    h('div', { class: 'card-actions' }, counted, note, save),
  );
}

async function saveCount(row, countedText, note, currency) {
  const cents = parseMoney(countedText, currency);
  if (cents === null) {
    ui('cashupError').textContent = 'Type the amount counted, like 85.00.';
    return;
  }
  ui('cashupError').textContent = '';
  try {
    const body = { crew_id: row.crew_id, method: row.method, counted_cents: cents, note };
    render(await apiFetch(urls.cashupCounts(current.id), { method: 'POST', body }));
    announce(`Count saved for ${row.crew_name}.`);
  } catch (err) {
    ui('cashupError').textContent = err.message;
  }
}

function render(view) {
  const list = clear(ui('cashupList'));
  const me = currentCrew();
  ui('cashupStatus').textContent = view.closed ? `Closed by ${view.closed.closed_by_name}` : 'Not closed yet';
  if (!view.rows.length) list.append(h('li', { text: me ? `Nothing taken by ${me.name} yet.` : 'Nothing taken yet.' }));
  list.append(...view.rows.map((r) => rowItem(r, view.currency)));
  ui('cashupClose').hidden = !isManager() || Boolean(view.closed);
}

export async function openCashup(opener = ui('showCashup')) {
  const event = rosterEvent();
  current = event;
  ui('cashupTitle').textContent = `Cash-up · ${event.title}`;
  ui('cashupError').textContent = '';
  ui('cashupPdf').href = urls.cashupPdf(event.id);
  ui('cashupCsv').href = urls.cashupCsv(event.id);
  ui('cashupPdf').hidden = ui('cashupCsv').hidden = !isManager();
  clear(ui('cashupList'));
  openModal(ui('cashupDialog'), opener);
  try {
    render(await apiFetch(urls.cashup(event.id)));
  } catch (err) {
    ui('cashupError').textContent = err.message;
  }
}

ui('cashupClose').addEventListener('click', async () => {
  if (!current) return;
  try {
    render(await apiFetch(urls.cashupClose(current.id), { method: 'POST' }));
    announce('Cash-up closed.');
  } catch (err) {
    ui('cashupError').textContent = err.message;
  }
});
