// Import patrons from a CSV file: parsed here in the browser, each row posted to the
// roster; the report lists accepted rows and rejected rows with their line numbers.
import { clear, h } from './el.js';
import { parseCsv, withHeader } from './csv.js';
import { openModal } from './modal.js';
import { addPatron } from './patron-form.js';
import { putBooking, rosterEvent } from './roster-state.js';
import { ui } from './sel.js';
import { announce } from './status.js';

function toPatron(values) {
  const size = values.party_size ? Number(values.party_size) : 1;
  if (!values.name) throw new Error('name is empty');
  if (!values.email) throw new Error('email is empty');
  if (!Number.isInteger(size) || size < 1) throw new Error(`party size “${values.party_size}” is not a whole number`);
  return { name: values.name, email: values.email, phone: values.phone || '', party_size: size };
}

function report(accepted, rejected) {
  const box = clear(ui('importReport'));
  box.append(h('p', { class: 'import-summary', text: `${accepted.length} accepted, ${rejected.length} rejected.` }));
  if (accepted.length) {
    box.append(h('h3', { text: 'Accepted' }), h('ul', { class: 'plain-list' }, ...accepted.map((r) => h('li', { text: `Line ${r.line}: ${r.name}` }))));
  }
  if (rejected.length) {
    box.append(h('h3', { text: 'Rejected' }), h('ul', { class: 'plain-list rejected' }, ...rejected.map((r) => h('li', { text: `Line ${r.line}: ${r.reason}` }))));
  }
}

export async function importRows(eventId, rows) {
  const accepted = [];
  const rejected = [];
  for (const row of rows) {
    try {
      const booking = putBooking(await addPatron(eventId, toPatron(row.values)));
      accepted.push({ line: row.line, name: booking.name });
    } catch (err) {
      rejected.push({ line: row.line, reason: err.message });
    }
  }
  return { accepted, rejected };
}

async function submit(event) {
  event.preventDefault();
  const file = ui('importFile').files[0];
  ui('importError').textContent = '';
  if (!file) {
    ui('importError').textContent = 'Choose a CSV file first.';
    return;
  }
  const { header, rows } = withHeader(parseCsv(await file.text()));
  if (!header.includes('name') || !header.includes('email')) {
    ui('importError').textContent = 'The first line must name the columns, with at least name and email.';
    return;
  }
  ui('importSubmit').disabled = true;
  ui('importReport').textContent = `Importing ${rows.length} rows…`;
  try {
    const { accepted, rejected } = await importRows(rosterEvent().id, rows);
    report(accepted, rejected);
    announce(`Import finished: ${accepted.length} accepted, ${rejected.length} rejected.`);
  } finally {
    ui('importSubmit').disabled = false;
  }
}

export function openImport(opener) {
  ui('importForm').reset();
  clear(ui('importReport'));
  ui('importError').textContent = '';
  openModal(ui('importDialog'), opener);
}

// Loaded on first use (lazy.js): wiring happens when the module is first imported.
ui('importForm').addEventListener('submit', submit);
