// The bar that appears when cards are picked for a batch payment.
import { money } from './format.js';
import { clearPicked, pickedBookings, rosterEvent } from './roster-state.js';
import { ui } from './sel.js';

export function updateBatchBar() {
  const picked = pickedBookings();
  ui('batchBar').hidden = picked.length === 0;
  if (!picked.length) return;
  const total = picked.reduce((sum, b) => sum + b.balance_cents, 0);
  ui('batchCount').textContent =
    `${picked.length} selected · ${money(total, rosterEvent().currency)}`;
}

export function wireBatchBar() {
  ui('batchClear').addEventListener('click', () => {
    clearPicked();
    for (const box of ui('rosterList').querySelectorAll('input[data-action=pick]')) {
      box.checked = false;
    }
    updateBatchBar();
  });
}
