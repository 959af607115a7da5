// Modal dialogs on <dialog>.showModal(): the browser traps focus and closes on Escape;
// we put focus on the first field and hand it back to the button that opened the modal,
// even when that button's card was re-rendered meanwhile.
import { uiAll } from './sel.js';

const openers = new WeakMap();

function focusKeyOf(opener) {
  const card = opener && opener.closest && opener.closest('li[data-patron]');
  if (!card || !opener.dataset.action) return null;
  return `li[data-patron="${CSS.escape(card.dataset.patron)}"] [data-action="${opener.dataset.action}"]`;
}

export function openModal(dialog, opener = document.activeElement) {
  openers.set(dialog, { opener, key: focusKeyOf(opener) });
  dialog.showModal();
  const first = dialog.querySelector('[data-autofocus], input:not([type=hidden]), select, textarea');
  if (first) first.focus();
}

export function closeModal(dialog) {
  if (dialog.open) dialog.close();
}

function restoreFocus(dialog) {
  const saved = openers.get(dialog);
  if (!saved) return;
  let target = saved.opener;
  if (!target || !target.isConnected) target = saved.key ? document.querySelector(saved.key) : null;
  if (target && target.isConnected && !target.disabled && !target.hidden) target.focus();
}

export function wireModals() {
  for (const dialog of document.querySelectorAll('dialog')) {
    dialog.addEventListener('close', () => restoreFocus(dialog));
    for (const button of uiAll('closeButton', dialog)) {
      button.addEventListener('click', () => closeModal(dialog));
    }
  }
}
