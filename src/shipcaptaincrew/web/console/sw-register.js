// Install the service worker that keeps the console's files for opening with no signal.
// It sits beside the console's script (static/console.js), so its scope is the console (also
// under /_staging/).
export function registerWorker() {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  navigator.serviceWorker.register(new URL('sw.js', import.meta.url)).catch(() => {});
}
