// Payment methods the server accepts, with the words crew see.
import { h } from './el.js';

export const METHODS = [
  ['cash', 'Cash'],
  ['card', 'Card'],
  ['check', 'Check'],
  ['transfer', 'Bank transfer'],
  ['app', 'Payment app'],
  ['stripe', 'Stripe'],
  ['paypal', 'PayPal'],
  ['comp', 'Comp (free)'],
  ['other', 'Other'],
];

// Shown on payments but never offered: made by `scc import-legacy` or by a confirmation
// without an amount (production's "confirm paid").
const SHOWN_ONLY = [
  ['imported', 'Imported (paid before the move)'],
  ['unspecified', 'Not recorded'],
];

export function methodName(value) {
  const found = [...METHODS, ...SHOWN_ONLY].find(([v]) => v === value);
  return found ? found[1] : value;
}

export function fillMethods(select) {
  if (select.options.length) return;
  select.append(...METHODS.map(([value, label]) => h('option', { value, text: label })));
}
