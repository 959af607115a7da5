// Open a patron's card from the QR code on their guest page or booking email: the phone's
// camera reads it where the browser has BarcodeDetector; the code or link can always be
// typed or pasted instead.
import { closeModal, openModal } from './modal.js';
import { resetFilters, applyFilters } from './roster-filters.js';
import { allBookings } from './roster-state.js';
import { cardOf, ui } from './sel.js';

let camera = null;

function tokenOf(text) {
  const found = /\/g\/([\w-]+)/.exec(text);
  return (found ? found[1] : text).trim();
}

function stopCamera() {
  if (!camera) return;
  camera.stream.getTracks().forEach((track) => track.stop());
  clearInterval(camera.timer);
  ui('scanVideo').hidden = true;
  camera = null;
}

// Returns true when the code named a patron on this roster, whose card is then shown.
function openCard(text) {
  const token = tokenOf(text);
  const booking = token && allBookings().find((b) => b.guest_url.endsWith(`/g/${token}`));
  if (!booking) {
    ui('scanError').textContent = 'No patron on this roster has that code.';
    return false;
  }
  stopCamera();
  resetFilters();
  applyFilters();
  const card = cardOf(booking.patron_id);
  for (const other of ui('rosterList').querySelectorAll('.is-found')) other.classList.remove('is-found');
  card.classList.add('is-found');
  const heading = card.querySelector('h2');
  heading.tabIndex = -1;
  // After the dialog hands focus back to its opener: the card found takes it instead.
  ui('scanDialog').addEventListener(
    'close',
    () => {
      card.scrollIntoView({ block: 'center' });
      heading.focus({ preventScroll: true });
    },
    { once: true },
  );
  closeModal(ui('scanDialog'));
  return true;
}

async function startCamera() {
  if (!('BarcodeDetector' in window) || !navigator.mediaDevices) return;
  try {
    const detector = new window.BarcodeDetector({ formats: ['qr_code'] });
    const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
    const video = ui('scanVideo');
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    camera = { stream, timer: null };
    camera.timer = setInterval(async () => {
      const codes = await detector.detect(video).catch(() => []);
      if (codes.length) openCard(codes[0].rawValue);
    }, 250);
  } catch {
    stopCamera(); // no camera or no permission: typing the code still works
  }
}

export function openScan(opener) {
  ui('scanForm').elements.code.value = '';
  ui('scanError').textContent = '';
  openModal(ui('scanDialog'), opener);
  startCamera();
}

ui('scanForm').addEventListener('submit', (event) => {
  event.preventDefault();
  openCard(ui('scanForm').elements.code.value);
});
ui('scanDialog').addEventListener('close', stopCamera);
