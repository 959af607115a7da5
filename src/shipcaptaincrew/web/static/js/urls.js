// Every address of the server the console uses, built here and nowhere else; ids are
// URL-encoded. apiFetch() (api.js) is the one door these addresses go through.
const q = encodeURIComponent;
const event = (eventId) => `/api/events/${q(eventId)}`;
const booking = (b) => `${event(b.event_id)}/${q(b.patron_id)}`;

export const urls = Object.freeze({
  login: () => '/admin/login',
  logout: () => '/admin/logout',
  me: () => '/api/me',
  events: () => '/api/events',
  event,
  roster: (eventId) => `${event(eventId)}/roster`,
  live: (eventId) => `${event(eventId)}/live`,
  changes: (eventId, since) => `${event(eventId)}/changes?since=${q(since)}`,
  batchPayments: (eventId) => `${event(eventId)}/payments/batch`,
  passengersPdf: (eventId) => `${event(eventId)}/passengers.pdf`,
  audit: (eventId, limit) => `/api/audit?event_id=${q(eventId)}&limit=${q(limit)}`,
  waiverTemplates: () => '/api/waiver-templates',
  // One booking ({ event_id, patron_id }).
  payment: (b) => `${booking(b)}/payment`,
  attendance: (b) => `${booking(b)}/attendance`,
  waiver: (b) => `${booking(b)}/waiver`,
  headcount: (b) => `${booking(b)}/headcount`,
  promote: (b) => `${booking(b)}/promote`,
  // One payment.
  voidPayment: (paymentId) => `/api/payments/${q(paymentId)}/void`,
  receipt: (paymentId) => `/api/payments/${q(paymentId)}/receipt.pdf`,
});
