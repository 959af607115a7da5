// The console's service worker: the app shell (this page, its styles and modules) is
// kept in a cache so the console opens with no signal. It answers only for the files listed
// here and for opening the console itself; everything else (the API, sign-in, guest pages
// and their assets) goes to the network untouched. Roster data is kept by the page in
// IndexedDB, never here.
const CACHE = 'scc-console-shell-v1';
const SHELL = [
  'index.html',
  'manifest.webmanifest',
  'icon.svg',
  'css/console.css',
  'js/account-modal.js',
  'js/api-errors.js',
  'js/api.js',
  'js/audit-modal.js',
  'js/batch-bar.js',
  'js/batch-modal.js',
  'js/booking-refresh.js',
  'js/cashup-modal.js',
  'js/checkin.js',
  'js/credit-form.js',
  'js/crew-modal.js',
  'js/crew-sessions.js',
  'js/csv-import.js',
  'js/csv.js',
  'js/el.js',
  'js/event-form.js',
  'js/events-view.js',
  'js/format.js',
  'js/gate-modal.js',
  'js/guest-link.js',
  'js/headcount.js',
  'js/header.js',
  'js/history-modal.js',
  'js/idb.js',
  'js/ids.js',
  'js/kiosk-admin.js',
  'js/lazy.js',
  'js/live-sync.js',
  'js/login.js',
  'js/main.js',
  'js/methods.js',
  'js/modal.js',
  'js/money-modal.js',
  'js/offline-cache.js',
  'js/offline-queue.js',
  'js/patron-form.js',
  'js/payment-modal.js',
  'js/pending.js',
  'js/prefetch.js',
  'js/promote.js',
  'js/rebook-modal.js',
  'js/refund-form.js',
  'js/roster-actions.js',
  'js/roster-card.js',
  'js/roster-filters.js',
  'js/roster-state.js',
  'js/roster-totals.js',
  'js/roster-view.js',
  'js/router.js',
  'js/scan.js',
  'js/sel.js',
  'js/session.js',
  'js/shift-modal.js',
  'js/status.js',
  'js/sw-register.js',
  'js/sync-status.js',
  'js/urls.js',
  'js/views.js',
  'js/void-form.js',
  'js/waiver-modal.js',
  'js/waiver-templates.js',
  'js/weather-modal.js',
  'js/weather-rows.js',
];
const RECHECK_MS = 60_000; // look for a new console at most once a minute
const scope = new URL(self.registration.scope);
const shellUrls = new Set(SHELL.map((path) => new URL(path, scope).href));
const pageUrl = new URL('index.html', scope).href;
let checkedAt = 0;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL.map((path) => new Request(path, { cache: 'no-cache' }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

// Revalidate every shell file (conditional requests: unchanged files cost a 304).
async function refreshShell() {
  checkedAt = Date.now();
  const cache = await caches.open(CACHE);
  await Promise.all(
    SHELL.map(async (path) => {
      const res = await fetch(new Request(path, { cache: 'no-cache' }));
      if (res.ok) await cache.put(new URL(path, scope).href, res);
    }),
  );
}

async function fromShell(key, request, isPage) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(key);
  if (isPage && Date.now() - checkedAt > RECHECK_MS) refreshShell().catch(() => {});
  if (hit) return hit;
  const res = await fetch(request);
  if (res.ok) await cache.put(key, res.clone());
  return res;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  url.search = '';
  url.hash = '';
  const isPage = request.mode === 'navigate' && (url.href === scope.href || url.href === pageUrl);
  if (!isPage && !shellUrls.has(url.href)) return;
  event.respondWith(fromShell(isPage ? pageUrl : url.href, request, isPage));
});
