// Money (integer minor units + ISO currency) and dates, shown in the phone's locale.
// One formatter per currency, with its minor digits and scale read once (a roster formats
// hundreds of amounts on its first draw).
const formatters = new Map();
const LOCALE = navigator.language || 'en';

function moneyFormat(currency) {
  let found = formatters.get(currency);
  if (!found) {
    const format = new Intl.NumberFormat(LOCALE, { style: 'currency', currency });
    const digits = format.resolvedOptions().maximumFractionDigits;
    found = { format, digits, scale: 10 ** digits };
    formatters.set(currency, found);
  }
  return found;
}

export function minorDigits(currency) {
  return moneyFormat(currency).digits;
}

export function money(cents, currency) {
  const { format, scale } = moneyFormat(currency);
  return format.format(cents / scale);
}

// The server counts in cents ("more than the 4000 cents left"); crew read money.
export function centsInMoney(message, currency) {
  return message.replace(/\b(\d+) cents\b/g, (_, cents) => money(Number(cents), currency));
}

// "12.5" -> 1250 for USD, without floating point. Returns null when not a valid amount.
export function parseMoney(text, currency) {
  const digits = minorDigits(currency);
  const clean = String(text).trim().replace(/[\s,]/g, '').replace(/^[^\d.]+/, '');
  const match = /^(\d{1,9})(?:\.(\d*))?$/.exec(clean);
  if (!match || (match[2] && match[2].length > digits)) return null;
  const fraction = (match[2] || '').padEnd(digits, '0');
  return Number(match[1]) * 10 ** digits + Number(fraction || 0);
}

export function amountInput(cents, currency) {
  const digits = minorDigits(currency);
  if (!digits) return String(cents);
  const whole = Math.floor(cents / 10 ** digits);
  return `${whole}.${String(cents % 10 ** digits).padStart(digits, '0')}`;
}

const dateTime = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeStyle: 'short' });
const timeOnly = new Intl.DateTimeFormat(LOCALE, { timeStyle: 'short' });

export function when(iso) {
  return iso ? dateTime.format(new Date(iso)) : '';
}

export function clock(iso) {
  return iso ? timeOnly.format(new Date(iso)) : '';
}

function pad(n) {
  return String(n).padStart(2, '0');
}

// datetime-local value <-> ISO 8601 with this phone's offset
export function toLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function fromLocalInput(value) {
  if (!value) return null;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return null;
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return `${value.length === 16 ? `${value}:00` : value}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
