// Start-up: wire every behaviour, restore the session (GET /api/me) and show the view
// the address asks for. The first requests start before anything else is evaluated.
import './prefetch.js';
import { wireBatchBar } from './batch-bar.js';
import { loadEvents } from './events-view.js';
import { applyRole, wireHeader } from './header.js';
import { lazy, wireLazyButtons } from './lazy.js';
import { wireLogin } from './login.js';
import { wireModals } from './modal.js';
import { wirePayment } from './payment-modal.js';
import { wireRosterActions } from './roster-actions.js';
import { wireFilters } from './roster-filters.js';
import { loadRoster, wireRosterView } from './roster-view.js';
import { stopFollowing } from './live-sync.js';
import { flush, wireQueue } from './offline-queue.js';
import { notifyRoute, onRoute } from './router.js';
import { currentCrew, onSessionChange, restore } from './session.js';
import { ui } from './sel.js';
import { clearError, showError, wireStatus } from './status.js';
import { registerWorker } from './sw-register.js';
import { wireSyncStatus } from './sync-status.js';
import { showView } from './views.js';

async function show(route) {
  clearError();
  if (!currentCrew()) {
    stopFollowing();
    showView('loginView');
    return;
  }
  if (currentCrew().must_change_password) {
    // An admin reset the password: nothing else answers until a new one is chosen.
    showView('loading', { focus: false });
    await lazy('account', 'openAccount')(ui('accountOpen'), { forced: true });
    return;
  }
  try {
    if (route.name === 'roster') {
      await loadRoster(route.eventId);
      applyRole();
      showView('rosterView');
    } else {
      stopFollowing();
      await loadEvents();
      document.title = 'Events · Dispatch console';
      showView('eventsView');
    }
  } catch (err) {
    showError(err);
    if (route.name === 'roster' && err.status === 404) location.hash = '#/';
  }
}

function wire() {
  wireStatus();
  wireModals();
  wireHeader();
  wireLogin();
  wireFilters();
  wireRosterView();
  wireRosterActions();
  wireBatchBar();
  wirePayment();
  wireLazyButtons();
  wireSyncStatus();
  onRoute(show);
  onSessionChange((crew) => {
    notifyRoute();
    if (crew) flush();
  });
}

async function start() {
  wire();
  const queue = wireQueue();
  try {
    const { confirmed } = await restore();
    confirmed.catch(showError); // the server's answer, when the phone's copy opened first
  } catch (err) {
    showView('loginView');
    showError(err);
  }
  await queue;
  ui('main').dataset.ready = 'true';
  registerWorker();
}

start();
