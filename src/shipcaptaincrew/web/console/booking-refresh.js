// Bring one booking up to date from the server (after a payment conflict: another phone
// logged it first). The server's booking answer carries `ready`, so "ready to board" is
// decided there and only shown here; GET …/waiver is the booking answer for one patron.
import { apiFetch } from './api.js';
import { putBooking } from './roster-state.js';
import { urls } from './urls.js';

export async function refreshBooking(booking) {
  const out = await apiFetch(urls.waiver(booking));
  return putBooking(out.booking);
}
