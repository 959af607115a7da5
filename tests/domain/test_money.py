import pytest

from shipcaptaincrew.domain.errors import Invalid
from shipcaptaincrew.domain.money import (
    MAX_AMOUNT_CENTS,
    check_amount,
    check_currency,
    format_money,
)


def test_currency_codes() -> None:
    assert check_currency("usd") == "USD"
    with pytest.raises(Invalid) as err:
        check_currency("ZZZ")
    assert err.value.details == {"currency": "ZZZ"}


@pytest.mark.parametrize("cents,zero_ok", [(0, False), (-1, True), (MAX_AMOUNT_CENTS + 1, True)])
def test_amount_limits(cents: int, zero_ok: bool) -> None:
    with pytest.raises(Invalid):
        check_amount(cents, allow_zero=zero_ok)


def test_amounts_within_limits() -> None:
    assert check_amount(0, allow_zero=True) == 0
    assert check_amount(MAX_AMOUNT_CENTS) == MAX_AMOUNT_CENTS


@pytest.mark.parametrize(
    "cents,currency,text",
    [
        (123456, "USD", "$1,234.56"),
        (5, "EUR", "€0.05"),
        (-250, "GBP", "-£2.50"),
        (1500, "JPY", "1,500 JPY"),
        (990, "SEK", "9.90 SEK"),
    ],
)
def test_format(cents: int, currency: str, text: str) -> None:
    assert format_money(cents, currency) == text
