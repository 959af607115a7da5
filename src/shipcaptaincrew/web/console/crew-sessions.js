// A member's sessions in the crew screen: started, last used, address; end any of them.
import { apiFetch } from './api.js';
import { h } from './el.js';
import { when } from './format.js';
import { ui } from './sel.js';
import { urls } from './urls.js';

function sessionItem(member, s, refresh) {
  const used = s.last_used_at ? `last used ${when(s.last_used_at)}` : 'not used yet';
  const end = async () => {
    try {
      await apiFetch(urls.crewSession(member.id, s.id), { method: 'DELETE' });
      ui('crewStatus').textContent = `Session of ${member.name} ended.`;
      await refresh();
    } catch (err) {
      ui('crewError').textContent = err.message;
    }
  };
  return h('li', {},
    h('span', { text: `Started ${when(s.created_at)}, ${used}, from ${s.address || 'unknown address'}${s.current ? ' (this session)' : ''} ` }),
    h('button', { type: 'button', class: 'btn', on: { click: end } }, 'End session'));
}

export async function toggleSessions(member, item) {
  const open = item.querySelector('ul.sessions');
  if (open) {
    open.remove();
    return;
  }
  const list = h('ul', { class: 'plain-list sessions', 'aria-label': `Sessions of ${member.name}` });
  item.append(list);
  const refresh = async () => {
    const { sessions } = await apiFetch(urls.crewAction(member.id, 'sessions'));
    list.replaceChildren(...(sessions.length ? sessions.map((s) => sessionItem(member, s, refresh)) : [h('li', { text: 'No active sessions.' })]));
  };
  try {
    await refresh();
  } catch (err) {
    ui('crewError').textContent = err.message;
  }
}
