// The crew screen (admins and captains): every account with its role and state, and per
// member: reset the password, change the role (admins), deactivate or reactivate, unlock
// sign-in (admins) and the sessions (crew-sessions.js). The server decides who may.
import { apiFetch } from './api.js';
import { toggleSessions } from './crew-sessions.js';
import { clear, h } from './el.js';
import { openModal } from './modal.js';
import { currentCrew } from './session.js';
import { ui } from './sel.js';
import { urls } from './urls.js';

const ROLES = ['crew', 'captain', 'admin'];

function say(text) {
  ui('crewError').textContent = '';
  ui('crewStatus').textContent = text;
}

async function act(run, done) {
  ui('crewStatus').textContent = '';
  ui('crewError').textContent = '';
  try {
    say(done(await run()));
    await render();
  } catch (err) {
    ui('crewError').textContent = err.message;
  }
}

const post = (member, action, body) => () =>
  apiFetch(urls.crewAction(member.id, action), { method: 'POST', body });

function roleField(member) {
  const id = `role-${member.id}`;
  const select = h('select', { id, on: { change: (e) => act(post(member, 'role', { role: e.target.value }), () => `${member.name} is now ${e.target.value}.`) } },
    ROLES.map((r) => h('option', { value: r, selected: r === member.role, text: r })));
  return [h('label', { for: id, text: `Role for ${member.name}` }), select];
}

function memberItem(member) {
  const me = currentCrew();
  const self = member.id === me.id;
  const admin = me.role === 'admin';
  const state = member.active ? (member.must_change_password ? 'must choose a new password' : 'active') : 'deactivated';
  const button = (text, on) => h('button', { type: 'button', class: 'btn', on: { click: on } }, text);
  return h('li', { class: 'crew-member', data: { crew: member.id } },
    h('p', {}, h('strong', { text: member.name }), ` · ${member.email} · ${member.role} · ${state}`),
    admin && !self ? roleField(member) : null,
    h('div', { class: 'actions' },
      self ? null : button(`Reset password for ${member.name}`, () => act(post(member, 'password-reset'), (out) => `Temporary password for ${member.name}: ${out.temporary_password} (shown once; they choose their own at next sign-in).`)),
      self ? null : member.active
        ? button(`Deactivate ${member.name}`, () => act(post(member, 'deactivate'), () => `${member.name} is deactivated; their sessions ended.`))
        : button(`Reactivate ${member.name}`, () => act(post(member, 'reactivate'), () => `${member.name} can sign in again.`)),
      admin ? button(`Unlock sign-in for ${member.name}`, () => act(() => apiFetch(urls.unlock(), { method: 'POST', body: { email: member.email } }), (out) => `Sign-in unlocked for ${member.name} (${out.cleared} failed attempts cleared).`)) : null,
      button(`Sessions of ${member.name}`, (e) => toggleSessions(member, e.currentTarget.closest('li'))),
    ),
  );
}

async function render() {
  const { crew } = await apiFetch(urls.crew());
  clear(ui('crewList')).append(...crew.map(memberItem));
}

export async function openCrew(opener = ui('crewOpen')) {
  say('');
  clear(ui('crewList'));
  openModal(ui('crewDialog'), opener);
  try {
    await render();
  } catch (err) {
    ui('crewError').textContent = err.message;
  }
}
