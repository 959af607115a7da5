// One line above the roster: when it was last synced, whether this phone is offline, and
// how many actions wait to be sent or need the crew member's decision.
import { clock } from './format.js';
import { conflictCount, onPendingChange, waitingCount } from './pending.js';
import { ui } from './sel.js';

const state = { syncedAt: null };

export function setSyncedAt(iso) {
  state.syncedAt = iso;
  renderSync();
}

function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

export function renderSync() {
  const parts = [];
  const offline = navigator.onLine === false;
  if (state.syncedAt) parts.push(`${offline ? 'Offline · last synced' : 'Synced'} ${clock(state.syncedAt)}`);
  else if (offline) parts.push('Offline');
  const waiting = waitingCount();
  const conflicts = conflictCount();
  if (waiting) parts.push(`${plural(waiting, 'action', 'actions')} waiting to send`);
  if (conflicts) parts.push(`${plural(conflicts, 'action', 'actions')} not saved: see the card`);
  const line = ui('syncStatus');
  line.textContent = parts.join(' · ');
  line.classList.toggle('is-warn', offline || conflicts > 0);
}

export function wireSyncStatus() {
  onPendingChange(renderSync);
  window.addEventListener('online', renderSync);
  window.addEventListener('offline', renderSync);
}
