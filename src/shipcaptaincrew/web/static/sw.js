// The console's service worker: the app shell (this page, its styles and its one script) is
// kept in a cache so the console opens with no signal. It answers only for the files listed
// here and for opening the console itself; everything else (the API, sign-in, guest pages
// and their assets) goes to the network untouched. Roster data is kept by the page in
// IndexedDB, never here.
const CACHE = 'scc-console-shell-v2'; // v1 kept each module apart: dropped on activation
const SHELL = ['index.html', 'manifest.webmanifest', 'icon.svg', 'css/console.css', 'console.js'];
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
