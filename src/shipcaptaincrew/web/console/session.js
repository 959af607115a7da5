// Who is signed in: restore on page load (GET /api/me; with no signal, who was signed in
// last on this phone), sign in, sign out.
import { apiFetch, onSignedOut, setCsrf } from './api.js';
import { cachedMe, forgetAll, saveMe } from './offline-cache.js';
import { dropPrefetched, takeMe } from './prefetch.js';
import { urls } from './urls.js';

const state = { crew: null, orgName: null };
const listeners = new Set();

function set(crew, csrfToken, csrfHeader, orgName) {
  state.crew = crew;
  if (orgName) state.orgName = orgName;
  setCsrf(csrfToken, csrfHeader);
  for (const listener of listeners) listener(state.crew);
}

export function onSessionChange(listener) {
  listeners.add(listener);
}

export function currentCrew() {
  return state.crew;
}

export function orgName() {
  return state.orgName;
}

export function isManager() {
  return Boolean(state.crew && (state.crew.role === 'admin' || state.crew.role === 'captain'));
}

// The crew member an answer of /api/me (or of signing in) names, with whether they must
// choose a new password first.
const crewOf = (me) => ({ ...me.crew, must_change_password: me.must_change_password });

// Who the server says is signed in (``answer``: /api/me under way), with the phone's copy
// of it when there is no signal.
async function fromServer(answer) {
  try {
    const me = await answer;
    set(crewOf(me), me.csrf_token, me.csrf_header, me.org_name);
    saveMe(me);
  } catch (err) {
    const kept = err.status === 0 ? await cachedMe() : null;
    if (kept) set(kept.crew, kept.csrf_token, kept.csrf_header, kept.org_name);
    else if (err.status !== 401) throw err;
    else set(null, null);
  }
  return state.crew;
}

const sameCrew = (a, b) =>
  a.id === b.id && a.role === b.role && a.name === b.name && !a.must_change_password === !b.must_change_password;

// The server's answer after the phone's copy was shown: the same crew member keeps the
// screen as it is (only the CSRF token is taken); anyone else, a changed role or a session
// that ended is shown as the server has it. No signal: the phone's copy stays.
async function confirm(answer, shown) {
  try {
    const me = await answer;
    saveMe(me);
    const crew = crewOf(me);
    if (sameCrew(crew, shown)) setCsrf(me.csrf_token, me.csrf_header);
    else set(crew, me.csrf_token, me.csrf_header, me.org_name);
  } catch (err) {
    if (err.status === 401) set(null, null);
    else if (err.status !== 0) throw err;
  }
}

// On page load. A page the service worker opened has been used on this phone, so who was
// signed in is kept on it: the console opens with that at once and asks the server
// meanwhile (on a weak signal its answer can take seconds); ``confirmed`` settles when the
// server has answered. Otherwise the server's answer comes first.
export async function restore() {
  const answer = takeMe() || apiFetch(urls.me());
  if (navigator.serviceWorker?.controller) {
    const kept = await cachedMe();
    if (kept && kept.crew && !kept.must_change_password) {
      set(crewOf(kept), kept.csrf_token, kept.csrf_header, kept.org_name);
      return { confirmed: confirm(answer, state.crew) };
    }
  }
  await fromServer(answer);
  return { confirmed: Promise.resolve() };
}

// Ask the server again who is signed in (after a password change or signing out
// everywhere, the session itself has changed).
export function reloadSession() {
  return fromServer(apiFetch(urls.me()));
}

export async function signIn(email, password) {
  const out = await apiFetch(urls.login(), { method: 'POST', body: { email, password } });
  dropPrefetched();
  set(crewOf(out), out.csrf_token, out.csrf_header);
  saveMe({
    crew: out.crew,
    must_change_password: out.must_change_password,
    csrf_token: out.csrf_token,
    csrf_header: out.csrf_header,
    org_name: state.orgName,
  });
  return out.crew;
}

export async function signOut() {
  await apiFetch(urls.logout(), { method: 'POST' });
  await forgetAll();
  set(null, null);
}

onSignedOut(() => {
  forgetAll();
  if (state.crew) set(null, null);
});
