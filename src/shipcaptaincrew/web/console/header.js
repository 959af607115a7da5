// The signed-in crew member and role, always visible, and the sign-out button.
// Manager-only controls ([data-manager]) show for admins and captains only.
import { currentCrew, isManager, onSessionChange, orgName, signOut } from './session.js';
import { ui, uiAll } from './sel.js';
import { announce, showError } from './status.js';

const ROLE_NAMES = { admin: 'Admin', captain: 'Captain', crew: 'Crew' };

export function applyRole() {
  const manager = isManager();
  for (const node of uiAll('managerOnly')) node.hidden = !manager;
}

function render(crew) {
  ui('who').hidden = !crew;
  ui('whoName').textContent = crew ? crew.name : '';
  ui('whoRole').textContent = crew ? ROLE_NAMES[crew.role] || crew.role : '';
  if (orgName()) ui('orgName').textContent = orgName();
  applyRole();
}

export function wireHeader() {
  onSessionChange(render);
  // The manager menu closes once one of its actions is chosen.
  ui('manageMenu').addEventListener('click', (event) => {
    if (event.target.closest('button')) ui('manageMenu').open = false;
  });
  ui('logout').addEventListener('click', async () => {
    try {
      await signOut();
      announce('Signed out.');
    } catch (err) {
      showError(err);
    }
  });
  render(currentCrew());
}
