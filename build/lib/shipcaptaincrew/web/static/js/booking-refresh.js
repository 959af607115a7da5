// Bring one booking's payment state up to date from the server (after a conflict).
import { apiFetch } from './api.js';
import { getBooking, putBooking } from './roster-state.js';

export async function refreshPayment(eventId, patronId) {
  const s = await apiFetch(
    `/api/events/${encodeURIComponent(eventId)}/${encodeURIComponent(patronId)}/payment`,
  );
  const b = getBooking(patronId);
  const ready = b.status === 'booked' && s.payment_cleared && b.waiver_signed && b.checked_in;
  return putBooking({
    patron_id: patronId,
    payment_cleared: s.payment_cleared,
    amount_paid_cents: s.amount_paid_cents,
    amount_due_cents: s.amount_due_cents,
    balance_cents: s.balance_cents,
    ready,
  });
}
