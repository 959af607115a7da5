// Which part of the page is showing: loading, sign-in, events or one roster.
import { ui } from './sel.js';

const VIEWS = ['loading', 'loginView', 'eventsView', 'rosterView'];

export function showView(name, { focus = true } = {}) {
  for (const view of VIEWS) ui(view).hidden = view !== name;
  if (!focus) return;
  const heading = ui(name).querySelector('h1');
  if (heading) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: false });
  }
}
