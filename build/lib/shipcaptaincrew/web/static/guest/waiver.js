// The e-waiver form: a signature pad (pointer events: mouse, touch and pen), the guardian
// fields for a minor, and a submit that sends the drawing as a PNG data URL once.
"use strict";

function setUpPad(canvas) {
  const ctx = canvas.getContext("2d");
  let strokes = 0;
  let drawing = false;
  let last = null;

  function resize() {
    const scale = Math.min(window.devicePixelRatio || 1, 2);
    const rect = canvas.getBoundingClientRect();
    canvas.width = Math.round(rect.width * scale);
    canvas.height = Math.round(rect.height * scale);
    ctx.setTransform(scale, 0, 0, scale, 0, 0);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, rect.width, rect.height);
    ctx.lineWidth = 2.5;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#000";
    strokes = 0;
  }

  function point(e) {
    const rect = canvas.getBoundingClientRect();
    return { x: e.clientX - rect.left, y: e.clientY - rect.top };
  }

  canvas.addEventListener("pointerdown", (e) => {
    e.preventDefault();
    canvas.setPointerCapture(e.pointerId);
    drawing = true;
    last = point(e);
    ctx.beginPath();
    ctx.arc(last.x, last.y, ctx.lineWidth / 2, 0, Math.PI * 2);
    ctx.fillStyle = "#000";
    ctx.fill();
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!drawing) return;
    const p = point(e);
    ctx.beginPath();
    ctx.moveTo(last.x, last.y);
    ctx.lineTo(p.x, p.y);
    ctx.stroke();
    last = p;
  });
  const end = () => {
    if (drawing) strokes += 1;
    drawing = false;
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);

  resize();
  return {
    clear: resize,
    isEmpty: () => strokes === 0,
    toDataURL: () => canvas.toDataURL("image/png"),
  };
}

function init() {
  const form = document.getElementById("waiver-form");
  if (!form) return;
  const pad = setUpPad(document.getElementById("signature-pad"));
  const status = document.getElementById("pad-status");
  const minor = document.getElementById("minor");
  const guardian = document.getElementById("guardian");
  const button = document.getElementById("sign-button");

  const showGuardian = () => { guardian.hidden = !minor.checked; };
  minor.addEventListener("change", showGuardian);
  showGuardian();
  document.getElementById("clear-signature").addEventListener("click", () => pad.clear());

  function fail(message, focus) {
    status.textContent = message;
    status.hidden = false;
    if (focus) focus.focus();
  }

  form.addEventListener("submit", (e) => {
    const name = document.getElementById("signer_name");
    if (button.disabled) { e.preventDefault(); return; }
    if (!name.value.trim()) { e.preventDefault(); fail("Please type your full name.", name); return; }
    if (minor.checked) {
      for (const id of ["guardian_name", "guardian_relationship"]) {
        const input = document.getElementById(id);
        if (!input.value.trim()) {
          e.preventDefault();
          fail("Please give the guardian's name and relationship.", input);
          return;
        }
      }
    }
    if (pad.isEmpty()) { e.preventDefault(); fail("Please draw your signature in the box."); return; }
    const agree = document.getElementById("agree");
    if (!agree.checked) { e.preventDefault(); fail("Please tick the box to agree.", agree); return; }
    document.getElementById("signature-data").value = pad.toDataURL();
    status.hidden = true;
    button.disabled = true;
    button.textContent = "Signing...";
  });
}

document.addEventListener("DOMContentLoaded", init);
