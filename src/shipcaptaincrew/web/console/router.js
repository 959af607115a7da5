// Hash routes: #/ is the events list, #/events/{id} an event's roster.
// Moving between them never reloads the page.
const listeners = new Set();

export function currentRoute() {
  const match = /^#\/events\/([^/]+)$/.exec(location.hash);
  return match ? { name: 'roster', eventId: decodeURIComponent(match[1]) } : { name: 'events' };
}

export function rosterHref(eventId) {
  return `#/events/${encodeURIComponent(eventId)}`;
}

export function onRoute(listener) {
  listeners.add(listener);
}

export function notifyRoute() {
  const route = currentRoute();
  for (const listener of listeners) listener(route);
}

window.addEventListener('hashchange', notifyRoute);
