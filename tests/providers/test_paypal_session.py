"""PayPal's access token is asked for once and kept until a minute before it expires; a
401 with it gets one new token and the call once more. PayPal's API is a local server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from shipcaptaincrew.domain.errors import ProviderFailed
from shipcaptaincrew.providers.paypal_api import PayPalProvider
from tests.provider_server import ProviderServer, Seen

ORDER = {
    "id": "ORDER-1",
    "status": "PAYER_ACTION_REQUIRED",
    "links": [{"rel": "payer-action", "href": "https://paypal.example/approve/ORDER-1"}],
}


@pytest.fixture
def paypal() -> Iterator[ProviderServer]:
    server = ProviderServer().start()
    yield server
    server.stop()


def _provider(server: ProviderServer) -> PayPalProvider:
    return PayPalProvider(
        client_id="client-1", client_secret="secret-1", webhook_id="WH-1", api_url=server.url
    )


def _checkout(provider: PayPalProvider, n: int) -> str:
    return provider.create_checkout(
        amount_cents=4500,
        currency="USD",
        booking_ref=f"evt_1:pat_{n}",
        event_id="evt_1",
        patron_id=f"pat_{n}",
        title="Harbour sunset cruise",
        email="pat@example.com",
        return_url="https://boats.example/g/token",
        expires_at=datetime.now(UTC) + timedelta(hours=1),
    ).url


def _calls(server: ProviderServer) -> list[tuple[str, str]]:
    return [(s.path, s.headers.get("authorization", "")[:12]) for s in server.seen]


def test_one_token_serves_calls_until_it_nearly_expires(paypal: ProviderServer) -> None:
    paypal.replies[("POST", "/v1/oauth2/token")] = (
        200,
        {"access_token": "A21-one", "token_type": "Bearer", "expires_in": 32400},
    )
    paypal.replies[("POST", "/v2/checkout/orders")] = (200, ORDER)
    provider = _provider(paypal)
    for n in range(3):
        assert _checkout(provider, n) == "https://paypal.example/approve/ORDER-1"
    assert _calls(paypal) == [
        ("/v1/oauth2/token", "Basic Y2xpZW"),
        ("/v2/checkout/orders", "Bearer A21-o"),
        ("/v2/checkout/orders", "Bearer A21-o"),
        ("/v2/checkout/orders", "Bearer A21-o"),
    ]


def test_a_token_within_a_minute_of_its_end_is_renewed(paypal: ProviderServer) -> None:
    paypal.replies[("POST", "/v1/oauth2/token")] = (
        200,
        {"access_token": "A21-s", "expires_in": 59},
    )
    paypal.replies[("POST", "/v2/checkout/orders")] = (200, ORDER)
    provider = _provider(paypal)
    _checkout(provider, 1)
    _checkout(provider, 2)
    assert [path for path, _ in _calls(paypal)] == [
        "/v1/oauth2/token",
        "/v2/checkout/orders",
        "/v1/oauth2/token",
        "/v2/checkout/orders",
    ]


def test_a_refused_token_is_renewed_once_and_the_call_made_again(paypal: ProviderServer) -> None:
    tokens = iter(["A21-old", "A21-new"])

    def answer(seen: Seen) -> tuple[int, object]:
        if seen.path == "/v1/oauth2/token":
            return 200, {"access_token": next(tokens), "expires_in": 32400}
        if seen.headers["authorization"] == "Bearer A21-old":
            return 401, {"error": "invalid_token"}
        return 200, ORDER

    paypal.answer = answer
    provider = _provider(paypal)
    assert _checkout(provider, 1) == "https://paypal.example/approve/ORDER-1"
    assert _checkout(provider, 2) == "https://paypal.example/approve/ORDER-1"
    assert _calls(paypal) == [
        ("/v1/oauth2/token", "Basic Y2xpZW"),
        ("/v2/checkout/orders", "Bearer A21-o"),
        ("/v1/oauth2/token", "Basic Y2xpZW"),
        ("/v2/checkout/orders", "Bearer A21-n"),
        ("/v2/checkout/orders", "Bearer A21-n"),
    ]
    # Both tries carry the same PayPal-Request-Id: PayPal acts on the request at most once.
    first, second = paypal.seen[1], paypal.seen[3]
    assert first.headers["paypal-request-id"] == second.headers["paypal-request-id"]


def test_a_second_401_is_a_refusal_not_a_loop(paypal: ProviderServer) -> None:
    paypal.replies[("POST", "/v1/oauth2/token")] = (
        200,
        {"access_token": "A21-x", "expires_in": 32400},
    )
    paypal.replies[("POST", "/v2/checkout/orders")] = (401, {"error": "invalid_token"})
    with pytest.raises(ProviderFailed, match="PayPal did not accept the request"):
        _checkout(_provider(paypal), 1)
    assert [path for path, _ in _calls(paypal)] == [
        "/v1/oauth2/token",
        "/v2/checkout/orders",
        "/v1/oauth2/token",
        "/v2/checkout/orders",
    ]
