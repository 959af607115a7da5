// Batch payment: log the picked patrons' balances in one request, all or none. With no
// signal the batch is queued on the phone with its key and the time it was taken.
import { clear, h } from './el.js';
import { centsInMoney, money } from './format.js';
import { newKey } from './ids.js';
import { fillMethods, methodName } from './methods.js';
import { closeModal, openModal } from './modal.js';
import { perform } from './offline-queue.js';
import { renderPaymentCard } from './roster-card.js';
import { clearPicked, getBooking, pickedBookings, rosterEvent } from './roster-state.js';
import { updateBatchBar } from './batch-bar.js';
import { ui } from './sel.js';
import { announce } from './status.js';
import { urls } from './urls.js';

let current = null;

export function openBatch() {
  const picked = pickedBookings();
  if (!picked.length) return;
  const { currency } = rosterEvent();
  current = { picked, key: newKey(), busy: false };
  fillMethods(ui('batchMethod'));
  const form = ui('batchForm');
  form.elements.method.value = 'cash';
  form.elements.reference.value = '';
  form.elements.note.value = '';
  clear(ui('batchList')).append(
    ...picked.map((b) => h('li', {}, h('span', { text: b.name }), ` · ${money(b.balance_cents, currency)}`)),
  );
  ui('batchTotal').textContent = money(picked.reduce((s, b) => s + b.balance_cents, 0), currency);
  ui('batchError').textContent = '';
  ui('batchSubmit').disabled = false;
  openModal(ui('batchDialog'), ui('batchOpen'));
}

// The server names a failing item by patron id; crew know them by name.
function withNames(message) {
  return message.replace(/\bpat_[0-9a-f]+\b/g, (id) => (getBooking(id) ? getBooking(id).name : id));
}

async function submit(event) {
  event.preventDefault();
  if (!current || current.busy) return;
  const form = ui('batchForm');
  current.busy = true;
  ui('batchSubmit').disabled = true;
  ui('batchError').textContent = '';
  const base = {
    method: form.elements.method.value,
    reference: form.elements.reference.value.trim(),
    note: form.elements.note.value.trim(),
  };
  const payments = current.picked.map((b) => ({ patron_id: b.patron_id, ...base }));
  try {
    const { out } = await perform({
      kind: 'batch',
      url: urls.batchPayments(rosterEvent().id),
      body: { payments },
      key: current.key,
      patronIds: payments.map((p) => p.patron_id),
      label: `batch payment (${methodName(base.method)}, ${payments.length} patrons)`,
    });
    clearPicked();
    if (out) for (const logged of out.payments) renderPaymentCard(logged.booking);
    updateBatchBar();
    closeModal(ui('batchDialog'));
    announce(
      out
        ? `${out.payments.length} payments logged.`
        : `${payments.length} payments saved on this phone: they are sent when the connection is back.`,
    );
  } catch (err) {
    ui('batchError').textContent = centsInMoney(withNames(err.message), rosterEvent().currency);
  } finally {
    current.busy = false;
    ui('batchSubmit').disabled = false;
  }
}

// Loaded on first use (lazy.js): wiring happens when the module is first imported.
ui('batchForm').addEventListener('submit', submit);
