// Payment methods the server accepts, with the words crew see.
import { h } from './el.js';
import { isManager } from './session.js';

export const METHODS = [
  ['cash', 'Cash'],
  ['card', 'Card'],
  ['check', 'Check'],
  ['transfer', 'Bank transfer'],
  ['app', 'Payment app'],
  ['stripe', 'Stripe'],
  ['paypal', 'PayPal'],
  ['comp', 'Comp (free)'],
  ['credit', 'Credit'],
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

// A comp waives the rest of a booking: only admins and captains may log one, so crew
// see who to ask instead of an option the server would refuse.
export function fillMethods(select) {
  select.replaceChildren(
    ...METHODS.map(([value, label]) => {
      if (value === 'comp' && !isManager()) {
        return h('option', { value, text: 'Comp (free): ask an admin or captain', disabled: true });
      }
      return h('option', { value, text: label });
    }),
  );
}
