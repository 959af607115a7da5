// One row per party of a weather call: who, what they paid, and what happens to them
// (move to a departure with room, credit, refund), editable before confirming.
import { h } from './el.js';
import { money, when } from './format.js';

const ACTIONS = [
  ['move', 'Move'],
  ['credit', 'Credit'],
  ['refund', 'Refund'],
];

function optionLabel(o) {
  const room = o.room === null ? 'room' : `${o.room} places left`;
  return `${o.title} · ${when(o.starts_at)} · ${room}`;
}

export function partyRow(p) {
  const action = h('select', { 'aria-label': `What happens to ${p.name}`, data: { field: 'action' } },
    ACTIONS.filter(([v]) => v !== 'move' || p.options.length).map(([value, text]) => h('option', { value, text, selected: value === p.action })));
  const target = h('select', { 'aria-label': `Departure for ${p.name}`, data: { field: 'move_to' } },
    p.options.map((o) => h('option', { value: o.event_id, text: optionLabel(o), selected: o.event_id === p.move_to })));
  const reprice = h('input', { type: 'checkbox', data: { field: 'reprice' } });
  const moveBits = h('span', { class: 'weather-move' }, target, h('label', {}, reprice, ' new price'));
  const sync = () => { moveBits.hidden = action.value !== 'move'; };
  action.addEventListener('change', sync);
  sync();
  const paid = p.paid_cents ? `paid ${money(p.paid_cents, p.currency)}` : 'nothing paid';
  return h('li', { class: 'payment', data: { patron: p.patron_id } },
    h('p', {}, h('strong', { text: p.name }), ` · ${p.party_size} · ${p.status} · ${paid}`),
    h('div', { class: 'card-actions' }, action, moveBits));
}

export function readRow(li) {
  const field = (name) => li.querySelector(`[data-field="${name}"]`);
  const action = field('action').value;
  const party = { patron_id: li.dataset.patron, action };
  if (action === 'move') {
    party.move_to = field('move_to').value;
    party.reprice = field('reprice').checked;
  }
  return party;
}

export function stepRow(s) {
  const what = s.action === 'move' ? `moved to ${s.outcome.moved_to_title || s.move_to}` : s.action;
  const error = s.error ? ` · ${s.error}` : '';
  return h('li', { class: s.state === 'done' ? 'payment' : 'payment is-voided', data: { patron: s.patron_id } },
    h('p', {}, h('strong', { text: s.patron_name }), ` · ${what} · ${s.state}${error}`));
}
