"""Money is integer minor units with an ISO 4217 currency code; never floats."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import Invalid

# Currency code -> number of minor-unit digits. The currencies an organisation
# taking paying guests is likely to price in; extend as needed.
CURRENCIES: dict[str, int] = {
    "USD": 2,
    "CAD": 2,
    "EUR": 2,
    "GBP": 2,
    "AUD": 2,
    "NZD": 2,
    "CHF": 2,
    "SEK": 2,
    "NOK": 2,
    "DKK": 2,
    "MXN": 2,
    "BRL": 2,
    "ZAR": 2,
    "SGD": 2,
    "HKD": 2,
    "INR": 2,
    "THB": 2,
    "PHP": 2,
    "IDR": 2,
    "PLN": 2,
    "CZK": 2,
    "ILS": 2,
    "AED": 2,
    "TRY": 2,
    "JPY": 0,
    "KRW": 0,
    "ISK": 0,
    "CLP": 0,
}

# The largest single amount a crew can log: 100,000.00 in a two-digit currency.
MAX_AMOUNT_CENTS = 10_000_000


def check_currency(code: str) -> str:
    """Return the upper-cased currency code, or raise Invalid."""
    upper = code.upper()
    if upper not in CURRENCIES:
        raise Invalid(f"Unknown currency {code!r}.", {"currency": code})
    return upper


def check_amount(cents: int, *, allow_zero: bool = False, field: str = "amount_cents") -> int:
    if cents < 0 or (cents == 0 and not allow_zero):
        raise Invalid("Amount must be more than zero.", {field: cents})
    if cents > MAX_AMOUNT_CENTS:
        raise Invalid(
            f"Amount is above the limit of {format_money(MAX_AMOUNT_CENTS, 'USD')[1:]}.",
            {field: cents, "max": MAX_AMOUNT_CENTS},
        )
    return cents


def format_money(cents: int, currency: str) -> str:
    """'$12.50' style text for receipts and messages (symbol only for the dollar family)."""
    digits = CURRENCIES.get(currency, 2)
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    if digits:
        whole, minor = divmod(cents, 10**digits)
        number = f"{whole:,}.{minor:0{digits}d}"
    else:
        number = f"{cents:,}"
    symbols = {"USD": "$", "CAD": "$", "AUD": "$", "NZD": "$", "EUR": "€", "GBP": "£"}
    symbol = symbols.get(currency)
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {currency}"


def to_decimal_text(cents: int, currency: str) -> str:
    """'45.00' for 4500 USD, '4500' for 4500 JPY: the amount as providers' APIs write it."""
    digits = CURRENCIES.get(currency.upper(), 2)
    if not digits:
        return str(cents)
    whole, minor = divmod(abs(cents), 10**digits)
    return f"{'-' if cents < 0 else ''}{whole}.{minor:0{digits}d}"


def from_decimal_text(text: str, currency: str) -> int:
    """The minor units of '45.00' (or '45', '45.5'); Invalid when it is not an amount."""
    digits = CURRENCIES.get(currency.upper(), 2)
    raw = text.strip()
    negative = raw.startswith("-")
    whole, _, minor = raw.lstrip("-").partition(".")
    if not whole.isdigit() or (minor and not minor.isdigit()) or len(minor) > digits:
        raise Invalid(f"{text!r} is not an amount in {currency}.", {"amount": text})
    cents = int(whole) * 10**digits + (int(minor.ljust(digits, "0")) if digits else 0)
    return -cents if negative else cents


@dataclass(frozen=True)
class Money:
    cents: int
    currency: str

    def __str__(self) -> str:
        return format_money(self.cents, self.currency)
