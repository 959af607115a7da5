// The passenger list's Print button (the page works without it: the browser's own print
// uses the same print stylesheet).
"use strict";

document.getElementById("print-list")?.addEventListener("click", () => window.print());
