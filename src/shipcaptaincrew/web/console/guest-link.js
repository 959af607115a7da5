// A patron's guest link from their card: emailed again ("Send link", at most once a
// minute; the server says when it may be sent again) or shown as a QR code for a patron
// standing at the dock (an SVG the server draws; no script runs for it).
import { apiFetch } from './api.js';
import { h, setBusy } from './el.js';
import { openModal } from './modal.js';
import { ui } from './sel.js';
import { announce, showError } from './status.js';
import { urls } from './urls.js';

export async function sendLink(booking, button) {
  setBusy(button, true);
  try {
    await apiFetch(urls.sendLink(booking), { method: 'POST' });
    announce(`Guest link emailed to ${booking.email}.`);
  } catch (err) {
    showError(err);
  } finally {
    setBusy(button, false);
  }
}

export function showQr(booking, button) {
  ui('qrPatron').textContent = booking.name;
  const alt = `QR code of ${booking.name}'s guest link`;
  ui('qrBox').replaceChildren(h('img', { src: urls.linkQr(booking), alt, width: 300, height: 300 }));
  const dialog = ui('qrDialog');
  dialog.addEventListener('close', () => ui('qrBox').replaceChildren(), { once: true });
  openModal(dialog, button);
}
