// Install the service worker that keeps the console's files for opening with no signal.
// It is registered from this folder, so its scope is the console (also under /_staging/).
export function registerWorker() {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  navigator.serviceWorker.register(new URL('../sw.js', import.meta.url)).catch(() => {});
}
