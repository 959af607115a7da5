// The event's activity log (admins and captains): who did what, when.
import { apiFetch } from './api.js';
import { clear, h } from './el.js';
import { clock, money, when } from './format.js';
import { methodName } from './methods.js';
import { openModal } from './modal.js';
import { getBooking, rosterEvent } from './roster-state.js';
import { ui } from './sel.js';
import { urls } from './urls.js';

function summary(entry, currency) {
  const d = entry.data || {};
  const parts = [];
  if (typeof d.amount_cents === 'number') parts.push(money(d.amount_cents, d.currency || currency));
  if (d.method) parts.push(methodName(d.method));
  for (const key of ['reason', 'checked_in', 'kind']) {
    if (d[key] !== undefined && d[key] !== null && d[key] !== '') parts.push(`${key.replace('_', ' ')}: ${d[key]}`);
  }
  if (d.occurred_at) parts.push(`happened ${clock(d.occurred_at)}, sent from a phone offline`);
  return parts.join(' · ');
}

function entryItem(entry, currency) {
  const patron = entry.patron_id && getBooking(entry.patron_id);
  return h(
    'li',
    { class: 'audit-entry' },
    h('p', {}, h('strong', { text: entry.action.replaceAll('.', ' ').replaceAll('_', ' ') }), patron ? ` · ${patron.name}` : ''),
    h('p', { class: 'muted', text: `${when(entry.at)} · ${entry.actor_name}` }),
    summary(entry, currency) ? h('p', { text: summary(entry, currency) }) : null,
  );
}

export async function openAudit(opener = ui('showAudit')) {
  const event = rosterEvent();
  ui('auditTitle').textContent = `Activity log · ${event.title}`;
  ui('auditError').textContent = '';
  const list = clear(ui('auditList'));
  openModal(ui('auditDialog'), opener);
  try {
    const { entries } = await apiFetch(urls.audit(event.id, 500));
    if (!entries.length) list.append(h('li', { text: 'Nothing recorded yet.' }));
    list.append(...entries.map((e) => entryItem(e, event.currency)));
  } catch (err) {
    ui('auditError').textContent = err.message;
  }
}
