"""PayPal through its documented REST API over httpx: Orders v2, captures, refunds and
verify-webhook-signature (PayPal keeps no maintained server SDK for Python)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import httpx

from ..domain.errors import BadSignature, ProviderFailed
from ..domain.money import from_decimal_text, to_decimal_text
from ..domain.online import Checkout, ProviderMoney, parse_booking_reference

TIMEOUT_S = 20.0
TOKEN_RENEW_EARLY_S = 60.0  # PayPal's tokens last hours; renew a minute before the end
SIGNATURE_HEADERS = {
    "auth_algo": "paypal-auth-algo",
    "cert_url": "paypal-cert-url",
    "transmission_id": "paypal-transmission-id",
    "transmission_sig": "paypal-transmission-sig",
    "transmission_time": "paypal-transmission-time",
}


class PayPalProvider:
    """One HTTP client (its connections and TLS set-up reused) and one access token per
    provider, renewed a minute before PayPal says it expires, or at once if PayPal answers
    401 with it (the call is then made once more: PayPal did not act on it)."""

    name = "paypal"

    def __init__(self, *, client_id: str, client_secret: str, webhook_id: str, api_url: str):
        self._auth = (client_id, client_secret)
        self._webhook_id = webhook_id
        self._api = api_url
        self._lock = threading.Lock()
        self._http: httpx.Client | None = None
        self._token: tuple[str, float] | None = None  # (access token, renew at: monotonic)

    def _client(self) -> httpx.Client:
        with self._lock:
            if self._http is None:
                self._http = httpx.Client(base_url=self._api, timeout=TIMEOUT_S)
            return self._http

    def _access_token(self, http: httpx.Client, *, renew: bool) -> str:
        with self._lock:
            kept = self._token
        if kept and not renew and time.monotonic() < kept[1]:
            return kept[0]
        answer = http.post(
            "/v1/oauth2/token",
            auth=self._auth,
            data={"grant_type": "client_credentials"},
            headers={"Accept": "application/json"},
        )
        answer.raise_for_status()
        data = answer.json()
        lifetime = float(data.get("expires_in") or 0) - TOKEN_RENEW_EARLY_S
        with self._lock:
            self._token = (str(data["access_token"]), time.monotonic() + lifetime)
        return str(data["access_token"])

    def _call(
        self, method: str, path: str, body: dict[str, Any] | None = None, request_id: str = ""
    ) -> dict[str, Any]:
        try:
            http = self._client()
            for renew in (False, True):
                headers = {"Authorization": f"Bearer {self._access_token(http, renew=renew)}"}
                if request_id:
                    headers["PayPal-Request-Id"] = request_id
                res = http.request(method, path, json=body, headers=headers)
                if res.status_code != 401 or renew:
                    break
            res.raise_for_status()
            out = res.json()
        except (httpx.HTTPError, ValueError, KeyError) as err:
            raise ProviderFailed(f"PayPal did not accept the request: {err}") from None
        return out if isinstance(out, dict) else {}

    def create_checkout(
        self,
        *,
        amount_cents: int,
        currency: str,
        booking_ref: str,
        event_id: str,
        patron_id: str,
        title: str,
        email: str,
        return_url: str,
        expires_at: datetime,
    ) -> Checkout:
        order = self._call(
            "POST",
            "/v2/checkout/orders",
            {
                "intent": "CAPTURE",
                "purchase_units": [
                    {
                        "reference_id": patron_id,
                        "custom_id": booking_ref,
                        "description": title[:127],
                        "amount": {
                            "currency_code": currency,
                            "value": to_decimal_text(amount_cents, currency),
                        },
                    }
                ],
                "payment_source": {
                    "paypal": {
                        "email_address": email,
                        "experience_context": {
                            "user_action": "PAY_NOW",
                            "return_url": f"{return_url}?paid=paypal",
                            "cancel_url": return_url,
                        },
                    }
                },
            },
            request_id=f"order-{booking_ref}-{amount_cents}-{int(expires_at.timestamp()) // 3600}",
        )
        links = {link.get("rel"): link.get("href") for link in order.get("links") or []}
        url = links.get("payer-action") or links.get("approve")
        if not url:
            raise ProviderFailed("PayPal gave no approval link for the order.")
        return Checkout("paypal", str(url), str(order.get("id") or ""))

    def refund(
        self,
        *,
        payment_reference: str,
        amount_cents: int,
        currency: str,
        idempotency_key: str,
        metadata: Mapping[str, str],
    ) -> str:
        ref = f"{metadata.get('event_id', '')}:{metadata.get('patron_id', '')}"
        refund = self._call(
            "POST",
            f"/v2/payments/captures/{payment_reference}/refund",
            {
                "amount": {
                    "value": to_decimal_text(amount_cents, currency),
                    "currency_code": currency,
                },
                "custom_id": ref,
                "note_to_payer": metadata.get("reason", "")[:255],
            },
            request_id=idempotency_key,
        )
        return str(refund.get("id") or "")

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> list[ProviderMoney]:
        try:
            event = json.loads(body)
        except ValueError:
            raise BadSignature("The PayPal webhook is not JSON.") from None
        if not isinstance(event, dict) or not all(
            headers.get(h) for h in SIGNATURE_HEADERS.values()
        ):
            raise BadSignature("The PayPal webhook has no signature.")
        check: dict[str, Any] = {k: headers[h] for k, h in SIGNATURE_HEADERS.items()}
        check |= {"webhook_id": self._webhook_id, "webhook_event": event}
        verdict = self._call("POST", "/v1/notifications/verify-webhook-signature", check)
        if verdict.get("verification_status") != "SUCCESS":
            raise BadSignature("The PayPal signature does not verify.")
        kind = event.get("event_type")
        res = event.get("resource") or {}
        if kind == "CHECKOUT.ORDER.APPROVED" and res.get("id"):
            order = self._call(
                "POST",
                f"/v2/checkout/orders/{res['id']}/capture",
                {},
                request_id=f"capture-{res['id']}",
            )
            units = order.get("purchase_units") or [{}]
            captures = (units[0].get("payments") or {}).get("captures") or []
            return [
                _capture(c, str(event.get("id") or ""), units[0])
                for c in captures
                if c.get("status") == "COMPLETED"
            ]
        if kind == "PAYMENT.CAPTURE.COMPLETED" and res.get("status") == "COMPLETED":
            return [_capture(res, str(event.get("id") or ""), {})]
        if kind == "PAYMENT.CAPTURE.REFUNDED" and res.get("status") == "COMPLETED":
            return [_refund(res, str(event.get("id") or ""))]
        return []


def _amount(res: dict[str, Any]) -> tuple[int, str]:
    amount = res.get("amount") or {}
    currency = str(amount.get("currency_code") or "").upper()
    return from_decimal_text(str(amount.get("value") or "0"), currency), currency


def _capture(res: dict[str, Any], event_id: str, unit: dict[str, Any]) -> ProviderMoney:
    cents, currency = _amount(res)
    return ProviderMoney(
        provider="paypal",
        kind="payment",
        reference=str(res.get("id")),
        parent_reference=str(res.get("id")),
        amount_cents=cents,
        currency=currency,
        provider_event=event_id,
        booking=parse_booking_reference(res.get("custom_id") or unit.get("custom_id")),
    )


def _refund(res: dict[str, Any], event_id: str) -> ProviderMoney:
    cents, currency = _amount(res)
    up = next((x.get("href", "") for x in res.get("links") or [] if x.get("rel") == "up"), "")
    return ProviderMoney(
        provider="paypal",
        kind="refund",
        reference=str(res.get("id")),
        parent_reference=str(up).rstrip("/").rsplit("/", 1)[-1],
        amount_cents=cents,
        currency=currency,
        provider_event=event_id,
        booking=parse_booking_reference(res.get("custom_id")),
        reason=str(res.get("note_to_payer") or ""),
    )
