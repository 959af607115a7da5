// Waiver kiosks (admins and captains): start one on this tablet (which then signs crew
// out and shows only the kiosk's search), list the event's kiosks and revoke one.
import { apiFetch } from './api.js';
import { h } from './el.js';
import { clock } from './format.js';
import { rosterEvent } from './roster-state.js';
import { ui } from './sel.js';
import { signOut } from './session.js';
import { announce, showError } from './status.js';
import { urls } from './urls.js';

export async function startKiosk(button) {
  const event = rosterEvent();
  if (!event) return;
  button.disabled = true;
  try {
    const out = await apiFetch(urls.kiosks(event.id), { method: 'POST' });
    await signOut();
    window.location.assign(out.url);
  } catch (err) {
    button.disabled = false;
    showError(err);
  }
}

function kioskItem(eventId, k) {
  const label = `Kiosk started ${clock(k.started_at)}, until ${clock(k.expires_at)}`;
  if (k.revoked_at) return h('li', { text: `${label}: revoked ${clock(k.revoked_at)}` });
  const revoke = h('button', { type: 'button', class: 'btn', text: 'Revoke', 'aria-label': `Revoke: ${label}` });
  revoke.addEventListener('click', async () => {
    revoke.disabled = true;
    try {
      await apiFetch(urls.revokeKiosk(eventId, k.id), { method: 'POST' });
      announce('Kiosk revoked: its tablet shows "This kiosk has ended".');
      await showKiosks();
    } catch (err) {
      revoke.disabled = false;
      showError(err);
    }
  });
  return h('li', {}, h('span', { text: `${label} ` }), revoke);
}

export async function showKiosks() {
  const event = rosterEvent();
  if (!event) return;
  const list = ui('kioskList');
  try {
    const out = await apiFetch(urls.kiosks(event.id));
    const items = out.kiosks.map((k) => kioskItem(event.id, k));
    list.replaceChildren(...(items.length ? items : [h('li', { text: 'No kiosks for this event.' })]));
    list.hidden = false;
  } catch (err) {
    showError(err);
  }
}
