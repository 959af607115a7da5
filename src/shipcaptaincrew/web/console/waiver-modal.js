// Paper waiver: crew confirm they hold a signed paper waiver for a patron's whole party
// (queued on the phone when there is no signal), or for one person of it at a time.
import { apiFetch } from './api.js';
import { h } from './el.js';
import { newKey } from './ids.js';
import { closeModal, openModal } from './modal.js';
import { perform } from './offline-queue.js';
import { putBooking } from './roster-state.js';
import { ui } from './sel.js';
import { announce } from './status.js';
import { urls } from './urls.js';

let current = null;

function seatButton(booking, seat) {
  const who = seat.name || `Person ${seat.no}`;
  const button = h('button', { type: 'button', class: 'btn', text: `Paper waiver for ${who}` });
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const updated = putBooking(await apiFetch(urls.seatPaper(booking, seat.no), { method: 'POST' }));
      announce(`Paper waiver recorded for ${who}: ${updated.waivers_signed} of ${updated.party_size} waivers.`);
      if (updated.waiver_signed) closeModal(ui('waiverDialog'));
      else showSeats(updated);
    } catch (err) {
      button.disabled = false;
      ui('waiverError').textContent = err.message;
    }
  });
  return h('li', {}, button);
}

function showSeats(booking) {
  current.booking = booking;
  // The server lists the people named or signed so far; the others are blank seats.
  const listed = new Map((booking.seats || []).map((s) => [s.no, s]));
  const everyone = Array.from({ length: booking.party_size }, (_, i) => listed.get(i + 1) || { no: i + 1, name: '', signed: false });
  const open = booking.party_size > 1 && !booking.waiver_signed ? everyone.filter((s) => !s.signed) : [];
  ui('waiverSeatList').replaceChildren(...open.map((s) => seatButton(booking, s)));
  ui('waiverSeats').hidden = open.length === 0;
}

export function openWaiver(booking, opener) {
  current = { booking, busy: false };
  showSeats(booking);
  ui('waiverPatron').textContent = booking.name;
  ui('waiverError').textContent = '';
  ui('waiverSubmit').disabled = false;
  openModal(ui('waiverDialog'), opener);
  ui('waiverSubmit').focus();
}

async function submit(event) {
  event.preventDefault();
  if (!current || current.busy) return;
  const { booking } = current;
  current.busy = true;
  ui('waiverSubmit').disabled = true;
  try {
    const { out } = await perform({
      kind: 'waiver',
      url: urls.waiver(booking),
      body: { kind: 'paper' },
      key: newKey(),
      patronIds: [booking.patron_id],
      label: 'paper waiver',
    });
    if (out) putBooking(out.booking);
    closeModal(ui('waiverDialog'));
    announce(
      out
        ? `Paper waiver recorded for ${booking.name}.`
        : `Paper waiver for ${booking.name} saved on this phone: it is sent when the connection is back.`,
    );
  } catch (err) {
    ui('waiverError').textContent = err.message;
  } finally {
    current.busy = false;
    ui('waiverSubmit').disabled = false;
  }
}

// Loaded on first use (lazy.js): wiring happens when the module is first imported.
ui('waiverForm').addEventListener('submit', submit);
