// Telling the user what happened: a polite status toast (with an optional Undo) and an
// error banner for failures outside a form. Both are live regions for screen readers.
// The toast never covers the control just used: it shows at the top of the screen when
// that control is in the lower half.
import { ui } from './sel.js';

let timer = null;
let undoHandler = null;

function placeAwayFrom(control) {
  if (!control || !control.getBoundingClientRect) return;
  const rect = control.getBoundingClientRect();
  const lower = rect.top + rect.height / 2 > window.innerHeight / 2;
  ui('toast').classList.toggle('toast-top', lower);
}

export function announce(text, { undo = null, ms = 6000, near = null } = {}) {
  clearTimeout(timer);
  placeAwayFrom(near || document.activeElement);
  ui('toastText').textContent = text;
  undoHandler = undo;
  ui('toastUndo').hidden = !undo;
  ui('toast').classList.add('is-shown');
  timer = setTimeout(hideToast, undo ? Math.max(ms, 10000) : ms);
}

export function hideToast() {
  ui('toast').classList.remove('is-shown');
  ui('toastUndo').hidden = true;
  undoHandler = null;
}

export function showError(err) {
  ui('errorText').textContent = err && err.message ? err.message : String(err);
  ui('error').hidden = false;
}

export function clearError() {
  ui('error').hidden = true;
  ui('errorText').textContent = '';
}

export function wireStatus() {
  ui('toastUndo').addEventListener('click', () => {
    const handler = undoHandler;
    hideToast();
    if (handler) handler();
  });
  ui('errorClose').addEventListener('click', clearError);
  const offline = () => {
    ui('offline').hidden = navigator.onLine !== false;
  };
  window.addEventListener('online', offline);
  window.addEventListener('offline', offline);
  offline();
}
