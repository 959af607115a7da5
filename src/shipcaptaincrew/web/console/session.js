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

export async function restore() {
  try {
    const me = await (takeMe() || apiFetch(urls.me()));
    set({ ...me.crew, must_change_password: me.must_change_password }, me.csrf_token, me.csrf_header, me.org_name);
    saveMe(me);
  } catch (err) {
    const kept = err.status === 0 ? await cachedMe() : null;
    if (kept) set(kept.crew, kept.csrf_token, kept.csrf_header, kept.org_name);
    else if (err.status !== 401) throw err;
    else set(null, null);
  }
  return state.crew;
}

export async function signIn(email, password) {
  const out = await apiFetch(urls.login(), { method: 'POST', body: { email, password } });
  dropPrefetched();
  set({ ...out.crew, must_change_password: out.must_change_password }, out.csrf_token, out.csrf_header);
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
