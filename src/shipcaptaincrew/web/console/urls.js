// Every address of the server the console uses, built here and nowhere else; ids are
// URL-encoded. apiFetch() (api.js) is the one door these addresses go through.
const q = encodeURIComponent;
const event = (eventId) => `/api/events/${q(eventId)}`;
const booking = (b) => `${event(b.event_id)}/${q(b.patron_id)}`;

export const urls = Object.freeze({
  login: () => '/admin/login',
  logout: () => '/admin/logout',
  me: () => '/api/me',
  myPassword: () => '/api/me/password',
  signOutEverywhere: () => '/api/me/sign-out-everywhere',
  crew: () => '/api/crew',
  unlock: () => '/api/crew/unlock',
  // One crew account: password-reset, role, deactivate, reactivate, sessions.
  crewAction: (crewId, action) => `/api/crew/${q(crewId)}/${action}`,
  crewSession: (crewId, sessionId) => `/api/crew/${q(crewId)}/sessions/${q(sessionId)}`,
  events: () => '/api/events',
  event,
  roster: (eventId) => `${event(eventId)}/roster`,
  live: (eventId) => `${event(eventId)}/live`,
  changes: (eventId, since) => `${event(eventId)}/changes?since=${q(since)}`,
  batchPayments: (eventId) => `${event(eventId)}/payments/batch`,
  cashup: (eventId) => `/api/events/${q(eventId)}/cashup`,
  cashupCounts: (eventId) => `/api/events/${q(eventId)}/cashup/counts`,
  cashupClose: (eventId) => `/api/events/${q(eventId)}/cashup/close`,
  cashupPdf: (eventId) => `/api/events/${q(eventId)}/cashup.pdf`,
  cashupCsv: (eventId) => `/api/events/${q(eventId)}/cashup.csv`,
  reconciliation: (eventId) => `/api/reconciliation?event_id=${q(eventId)}`,
  reconciliationCsv: (eventId) => `/api/reconciliation.csv?event_id=${q(eventId)}`,
  passengersPage: (eventId) => `${event(eventId)}/passengers.html`,
  passengersPdf: (eventId) => `${event(eventId)}/passengers.pdf`,
  settlementProposal: (eventId) => `${event(eventId)}/settlement-proposal`,
  cancellation: (eventId) => `${event(eventId)}/cancellation`,
  shift: (eventId) => `${event(eventId)}/shift`,
  settlementReport: (eventId, planId, kind) => `${event(eventId)}/settlements/${q(planId)}/report.${kind}`,
  credit: (patronId) => `/api/patrons/${q(patronId)}/credit`,
  audit: (eventId, limit) => `/api/audit?event_id=${q(eventId)}&limit=${q(limit)}`,
  waiverTemplates: () => '/api/waiver-templates',
  kiosks: (eventId) => `${event(eventId)}/kiosks`,
  revokeKiosk: (eventId, kioskId) => `${event(eventId)}/kiosks/${q(kioskId)}/revoke`,
  seatPaper: (b, seat) => `${booking(b)}/seats/${q(seat)}/paper`,
  // One booking ({ event_id, patron_id }).
  payment: (b) => `${booking(b)}/payment`,
  payLink: (b) => `${booking(b)}/pay-link`,
  attendance: (b) => `${booking(b)}/attendance`,
  waiver: (b) => `${booking(b)}/waiver`,
  headcount: (b) => `${booking(b)}/headcount`,
  promote: (b) => `${booking(b)}/promote`,
  rebook: (b) => `${booking(b)}/rebook`,
  rebookOptions: (b) => `${booking(b)}/rebook-options`,
  sendLink: (b) => `${booking(b)}/send-link`,
  linkQr: (b) => `${booking(b)}/link.svg`,
  // One payment.
  voidPayment: (paymentId) => `/api/payments/${q(paymentId)}/void`,
  refundPayment: (paymentId) => `/api/payments/${q(paymentId)}/refund`,
  receipt: (paymentId) => `/api/payments/${q(paymentId)}/receipt.pdf`,
});
