"""Bad input gets a clear 4xx with the one error shape and changes nothing."""

from __future__ import annotations

import pytest

from shipcaptaincrew.domain.models import Role


def _assert_error(r, status: int, code: str) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


@pytest.fixture
def booked(api):
    event = api.event()
    patron = api.patron(event["id"])
    return event["id"], patron["patron_id"]


def _nothing_logged(api, booked) -> None:
    event_id, patron_id = booked
    status = api.get(f"/api/events/{event_id}/{patron_id}/payment").json()
    assert status["payments"] == []
    assert api.ctx.store.list_audit(event_id=event_id, limit=100)[0].action == "booking.added"


@pytest.mark.parametrize("raw", [b"{", b"not json", b'{"amount_cents": 100,}', b"\xff\xfe"])
def test_malformed_json(api, booked, raw) -> None:
    event_id, patron_id = booked
    r = api.client.post(
        f"/api/events/{event_id}/{patron_id}/payment",
        content=raw,
        headers={**api.headers(), "content-type": "application/json"},
    )
    _assert_error(r, 400, "malformed_json")
    _nothing_logged(api, booked)


@pytest.mark.parametrize(
    "body,field",
    [
        ({"amount_cents": "4500", "method": "cash"}, "amount_cents"),
        ({"amount_cents": 45.5, "method": "cash"}, "amount_cents"),
        ({"amount_cents": None, "method": "cash"}, "amount_cents"),
        ({"amount_cents": True, "method": "cash"}, "amount_cents"),
        ({"amount_cents": -100, "method": "cash"}, "amount_cents"),
        ({"amount_cents": 10_000_001, "method": "cash"}, "amount_cents"),
        ({"amount_cents": 100, "method": "bitcoin"}, "method"),
        ({"method": "cash"}, "amount_cents"),
        ({"amount_cents": 100, "method": "cash", "currency": "DOLLARS"}, "currency"),
        ({"amount_cents": 100, "method": "cash", "extra": 1}, "extra"),
        ({"amount_cents": 100, "method": "cash", "note": "x" * 501}, "note"),
        ([1, 2], "body"),
    ],
)
def test_wrong_fields(api, booked, body, field) -> None:
    event_id, patron_id = booked
    r = api.post(f"/api/events/{event_id}/{patron_id}/payment", body)
    err = _assert_error(r, 422, "invalid")
    assert any(field in e["loc"] or e["loc"] == ["body"] for e in err["details"]["errors"])
    _nothing_logged(api, booked)


def test_unknown_currency_and_wrong_currency(api, booked) -> None:
    event_id, patron_id = booked
    path = f"/api/events/{event_id}/{patron_id}/payment"
    r = api.post(path, {"amount_cents": 100, "method": "cash", "currency": "XYZ"})
    err = _assert_error(r, 422, "invalid")
    assert err["details"]["errors"][0]["loc"] == ["body", "currency"]
    r = api.post(path, {"amount_cents": 100, "method": "cash", "currency": "EUR"})
    err = _assert_error(r, 422, "invalid")
    assert err["details"] == {"currency": "EUR", "event_currency": "USD"}
    event = {"title": "T", "starts_at": "2026-07-02T10:00:00Z", "price_cents": 1, "currency": "XYZ"}
    err = _assert_error(api.post("/api/events", event), 422, "invalid")
    assert err["details"]["errors"][0]["loc"] == ["body", "currency"]
    _nothing_logged(api, booked)


def test_unknown_event_patron_payment_and_route(api, booked) -> None:
    event_id, patron_id = booked
    pay = {"amount_cents": 100, "method": "cash"}
    err = _assert_error(
        api.post(f"/api/events/evt_nope/{patron_id}/payment", pay), 404, "not_found"
    )
    assert err["details"] == {"event_id": "evt_nope"}
    err = _assert_error(api.post(f"/api/events/{event_id}/pat_nope/payment", pay), 404, "not_found")
    assert err["message"] == "This patron is not on the event."
    _assert_error(api.get("/api/payments/pay_nope"), 404, "not_found")
    _assert_error(api.get("/api/nothing/here"), 404, "not_found")
    _assert_error(
        api.client.delete("/api/events", headers=api.headers()), 405, "method_not_allowed"
    )
    _nothing_logged(api, booked)


def test_patron_of_another_event(api, booked) -> None:
    event_id, patron_id = booked
    other = api.event(title="Other")
    r = api.post(
        f"/api/events/{other['id']}/{patron_id}/payment", {"amount_cents": 100, "method": "cash"}
    )
    _assert_error(r, 404, "not_found")
    _nothing_logged(api, booked)


def test_oversized_body(api, booked) -> None:
    event_id, patron_id = booked
    big = b'{"amount_cents": 100, "method": "cash", "note": "' + b"x" * 300_000 + b'"}'
    r = api.client.post(
        f"/api/events/{event_id}/{patron_id}/payment",
        content=big,
        headers={**api.headers(), "content-type": "application/json"},
    )
    _assert_error(r, 413, "payload_too_large")

    def chunks():
        yield b'{"amount_cents": 100, "method": "cash", "note": "'
        for _ in range(40):
            yield b"y" * 10_000
        yield b'"}'

    r = api.client.post(
        f"/api/events/{event_id}/{patron_id}/payment",
        content=chunks(),
        headers={**api.headers(), "content-type": "application/json"},
    )
    _assert_error(r, 413, "payload_too_large")
    _nothing_logged(api, booked)


@pytest.mark.parametrize(
    "body,message",
    [
        ({"title": "", "starts_at": "2026-07-02T10:00:00Z", "price_cents": 1}, None),
        ({"title": "T", "starts_at": "2026-07-02T10:00:00", "price_cents": 1}, None),
        (
            {
                "title": "T",
                "starts_at": "2026-07-02T10:00:00Z",
                "ends_at": "2026-07-02T09:00:00Z",
                "price_cents": 1,
            },
            "The event must end after it starts.",
        ),
        (
            {"title": "T", "starts_at": "2026-07-02T10:00:00Z", "price_cents": 1, "capacity": 0},
            None,
        ),
        ({"title": "T", "starts_at": "yesterday", "price_cents": 1}, None),
        (
            {"title": "T", "starts_at": "0001-01-01T00:00:00+00:01", "price_cents": 1},
            "starts_at must be between 2000 and 2099.",
        ),
        (
            {
                "title": "T",
                "starts_at": "2026-07-02T10:00:00Z",
                "ends_at": "9999-12-31T23:59:59-14:00",
                "price_cents": 1,
            },
            "ends_at must be between 2000 and 2099.",
        ),
    ],
)
def test_bad_events_are_refused(api, body, message) -> None:
    err = _assert_error(api.post("/api/events", body), 422, "invalid")
    if message:
        assert err["message"] == message
    assert api.ctx.store.list_events() == []


def test_crew_cannot_create_or_edit_events(api) -> None:
    body = {"title": "T", "starts_at": "2026-07-02T10:00:00Z", "price_cents": 1}
    _assert_error(api.post("/api/events", body, role=Role.CREW), 403, "forbidden")
    event = api.event()
    _assert_error(
        api.patch(f"/api/events/{event['id']}", {"title": "X"}, role=Role.CREW), 403, "forbidden"
    )
    _assert_error(
        api.post(
            f"/api/events/{event['id']}/roster",
            {"name": "N", "email": "n@example.com"},
            role=Role.CREW,
        ),
        403,
        "forbidden",
    )
    assert api.get(f"/api/events/{event['id']}").json()["title"] == "Sunset Cruise"


def test_bad_roster_input(api) -> None:
    event = api.event()
    _assert_error(
        api.post(f"/api/events/{event['id']}/roster", {"name": "N", "email": "not-an-email"}),
        422,
        "invalid",
    )
    _assert_error(
        api.post(
            f"/api/events/{event['id']}/roster",
            {"name": "N", "email": "n@example.com", "party_size": 0},
        ),
        422,
        "invalid",
    )
    _assert_error(
        api.post(f"/api/events/{event['id']}/roster", {"name": "   ", "email": "n@example.com"}),
        422,
        "invalid",
    )
    assert api.get(f"/api/events/{event['id']}/roster").json()["roster"] == []


def test_attendance_needs_a_real_boolean(api, booked) -> None:
    event_id, patron_id = booked
    r = api.post(f"/api/events/{event_id}/{patron_id}/attendance", {"checked_in": "yes"})
    _assert_error(r, 422, "invalid")
    r = api.post(f"/api/events/{event_id}/{patron_id}/attendance", {"checked_in": 1})
    _assert_error(r, 422, "invalid")
    assert api.get(f"/api/events/{event_id}/roster").json()["roster"][0]["checked_in"] is False


def test_idempotency_key_too_long(api, booked) -> None:
    event_id, patron_id = booked
    r = api.post(
        f"/api/events/{event_id}/{patron_id}/payment",
        {"amount_cents": 100, "method": "cash"},
        headers={"Idempotency-Key": "k" * 201},
    )
    _assert_error(r, 422, "invalid")
    _nothing_logged(api, booked)


def test_whole_number_float_is_accepted_as_cents(api, booked) -> None:
    event_id, patron_id = booked
    r = api.post(
        f"/api/events/{event_id}/{patron_id}/payment", {"amount_cents": 4500.0, "method": "cash"}
    )
    assert r.status_code == 201
    assert r.json()["payment"]["amount_cents"] == 4500


@pytest.mark.parametrize(
    "email",
    [
        "a@b.example,evil@attacker.example",
        "ann@example.com\r\nBcc: evil@attacker.example",
        "ann@example.com\u2028",
        "ann\u0085@example.com",
        "ann@example.com evil@attacker.example",
    ],
)
def test_one_address_only_for_patrons_and_crew(api, email) -> None:
    api.tokens.everyone()
    event = api.event()
    r = api.post(f"/api/events/{event['id']}/roster", {"name": "Ann", "email": email})
    err = _assert_error(r, 422, "invalid")
    assert err["message"].startswith("That email address does not look right.")
    assert api.get(f"/api/events/{event['id']}/roster").json()["roster"] == []
    crew = {"name": "Deck", "email": email, "role": "crew", "password": "long enough pass 1"}
    _assert_error(api.post("/api/crew", crew), 422, "invalid")
    emails = sorted(c["email"] for c in api.get("/api/crew").json()["crew"])
    assert emails == sorted(f"{role.value}@example.org" for role in Role)


@pytest.mark.parametrize(
    ("name", "character"),
    [
        ("Ann\x00Lee", "U+0000"),
        ("\u202eeeL nnA", "U+202E"),
        ("Ann\u200bLee", "U+200B"),
        ("Ann\nLee", "U+000A"),
    ],
)
def test_names_and_titles_refuse_invisible_and_control_characters(api, name, character) -> None:
    event = api.event()
    r = api.post(f"/api/events/{event['id']}/roster", {"name": name, "email": "a@example.com"})
    assert _assert_error(r, 422, "invalid")["details"] == {"field": "name", "character": character}
    r = api.post(
        "/api/events", {"title": name, "starts_at": "2026-07-02T10:00:00Z", "price_cents": 1}
    )
    assert _assert_error(r, 422, "invalid")["details"]["character"] == character
    r = api.patch(f"/api/events/{event['id']}", {"title": name})
    assert _assert_error(r, 422, "invalid")["details"]["field"] == "title"
    assert api.get(f"/api/events/{event['id']}").json()["title"] == event["title"]
    assert [e["id"] for e in api.get("/api/events").json()["events"]] == [event["id"]]


def test_names_are_stored_in_nfc(api) -> None:
    event = api.event(title="Cafe\u0301 cruise")
    assert event["title"] == "Caf\u00e9 cruise"
    patron = api.patron(event["id"], name="Zoe\u0308 O'Brien")
    assert patron["name"] == "Zo\u00eb O'Brien"
