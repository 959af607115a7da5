// The waiver kiosk: back to the surname search after 60 s without a touch or key press,
// so the next patron never sees the previous one's page.
"use strict";

(function () {
  const home = document.body.dataset.kioskHome;
  if (!home || window.location.pathname + window.location.search === home) return;
  const IDLE_MS = 60000;
  let timer = 0;
  const reset = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => window.location.assign(home), IDLE_MS);
  };
  for (const kind of ["pointerdown", "pointermove", "keydown", "input"]) {
    document.addEventListener(kind, reset, { passive: true });
  }
  reset();
})();
