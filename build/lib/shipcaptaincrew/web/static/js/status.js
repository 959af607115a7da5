// Telling the user what happened: a polite status toast (with an optional Undo) and an
// error banner for failures outside a form. Both are live regions for screen readers.
import { ui } from './sel.js';

let timer = null;
let undoHandler = null;

export function announce(text, { undo = null, ms = 6000 } = {}) {
  clearTimeout(timer);
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
