// My account: change my password (the current one required; my other sessions end) and
// sign out everywhere. After an admin's reset it opens by itself and must be done first.
import { apiFetch } from './api.js';
import { closeModal, openModal } from './modal.js';
import { reloadSession } from './session.js';
import { ui } from './sel.js';
import { announce, showError } from './status.js';
import { urls } from './urls.js';

let busy = false;

async function changePassword(event) {
  event.preventDefault();
  if (busy) return;
  const f = ui('passwordForm').elements;
  busy = true;
  ui('passwordSubmit').disabled = true;
  ui('passwordError').textContent = '';
  try {
    await apiFetch(urls.myPassword(), {
      method: 'POST',
      body: { current_password: f.current_password.value, password: f.password.value },
    });
    ui('passwordForm').reset();
    closeModal(ui('accountDialog'));
    announce('Password changed. Your other sessions have ended.');
    await reloadSession(); // a forced change is over: the console carries on
  } catch (err) {
    ui('passwordError').textContent = err.message;
  } finally {
    busy = false;
    ui('passwordSubmit').disabled = false;
  }
}

async function signOutEverywhere() {
  try {
    await apiFetch(urls.signOutEverywhere(), { method: 'POST' });
    closeModal(ui('accountDialog'));
    announce('Signed out everywhere.');
    await reloadSession();
  } catch (err) {
    showError(err);
  }
}

export function openAccount(opener, { forced = false } = {}) {
  ui('passwordError').textContent = '';
  ui('passwordForced').hidden = !forced;
  openModal(ui('accountDialog'), opener);
}

// Loaded on first use (lazy.js): wiring happens when the module is first imported.
ui('passwordForm').addEventListener('submit', changePassword);
ui('signOutEverywhere').addEventListener('click', signOutEverywhere);
