"""A roster nothing changed on is answered from the answer this process kept, with its
credit read and rendered again: the same bytes as the roster made afresh, from the sign-in,
the change marker and the credit read alone. Runs in-process on SQLite and through the
Lambda handler on DynamoDB."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shipcaptaincrew.domain.models import Role
from shipcaptaincrew.web.app import create_app
from shipcaptaincrew.web.roster_cache import SETTLE, Kept, RosterCache
from tests.store_calls import counted
from tests.web.conftest import Api, client_for, roster_afresh

# A SQLite store keeps a sign-in once read (storage/signin_cache.py): the crew member's was
# read before any roster read is counted.
SIGN_IN = {"sql": [], "dynamodb": ["GetItem", "GetItem"]}
# After the sign-in: the marker, then (made afresh) the event, its bookings and their
# receipt emails, then the credit of its patrons.
MADE = {"sql": ["SELECT"] * 5, "dynamodb": ["Query", "GetItem", "Query", "Query", "BatchGetItem"]}
KEPT = {"sql": ["SELECT"] * 2, "dynamodb": ["Query", "BatchGetItem"]}


def _kind(api: Api) -> str:
    return "sql" if hasattr(api.ctx.store, "engine") else "dynamodb"


def _roster(api: Api, event_id: str, **headers: str) -> tuple[Any, list[str]]:
    """The roster, uncompressed unless ``headers`` ask (httpx asks for gzip by default)."""
    headers = {"Accept-Encoding": "identity", **headers}
    with counted(api.ctx) as calls:
        r = api.get(f"/api/events/{event_id}/roster", role=Role.CREW, headers=headers)
    assert r.status_code == 200, r.text
    return r, [c.removeprefix("before-call.dynamodb.") for c in calls]


def _made(api: Api) -> list[str]:
    return SIGN_IN[_kind(api)] + MADE[_kind(api)]


def _kept(api: Api) -> list[str]:
    return SIGN_IN[_kind(api)] + KEPT[_kind(api)]


def _afresh(api: Api, event_id: str) -> bytes:
    return bytes(roster_afresh(api, event_id).content)


def _advance(api: Api, clock: Any, **kw: float) -> None:
    """Move the clock, and let the crew member's session note the time (a write of its
    own, on their next request) before any roster read is counted."""
    clock.advance(**kw)
    assert api.get("/api/events", role=Role.CREW).status_code == 200


def _event_with_history(api: Api) -> tuple[str, list[str]]:
    api.tokens[Role.CREW]  # signed in before any roster read is counted
    event = api.event(capacity=None)
    pids = [api.patron(event["id"], n)["patron_id"] for n in ("Ann Lee", "Bo Chan", "Cy Diaz")]
    api.post(f"/api/events/{event['id']}/{pids[0]}/attendance", {"checked_in": True})
    r = api.post(
        f"/api/events/{event['id']}/{pids[1]}/payment",
        {"amount_cents": 4500, "method": "cash"},
        headers={"Idempotency-Key": "cache-1"},
    )
    assert r.status_code == 201, r.text
    return event["id"], pids


def test_an_unchanged_roster_is_kept_and_answered_with_the_same_bytes(api, clock) -> None:
    event_id, _ = _event_with_history(api)
    _advance(api, clock, seconds=10)
    first, made = _roster(api, event_id)
    second, kept = _roster(api, event_id)
    assert (made, kept) == (_made(api), _kept(api))
    assert second.content == first.content == _afresh(api, event_id)
    assert second.headers["etag"] == first.headers["etag"] == f'"{first.json()["cursor"]}"'
    body = second.json()
    assert [(b["name"], b["checked_in"], b["payment_cleared"]) for b in body["roster"]] == [
        ("Ann Lee", True, False),
        ("Bo Chan", False, True),
        ("Cy Diaz", False, False),
    ]
    assert body["roster"][1]["receipt_email"] == "queued"


def test_a_roster_changed_moments_ago_is_made_again_until_the_change_settles(api, clock) -> None:
    event_id, _ = _event_with_history(api)
    _advance(api, clock, seconds=9)
    assert [_roster(api, event_id)[1] for _ in range(2)] == [_made(api)] * 2
    _advance(api, clock, seconds=1)
    assert [_roster(api, event_id)[1] for _ in range(2)] == [_made(api), _kept(api)]


def test_a_change_to_a_kept_roster_shows_at_once(api, clock) -> None:
    event_id, pids = _event_with_history(api)
    _advance(api, clock, seconds=10)
    before, _ = _roster(api, event_id)
    _roster(api, event_id)
    api.post(f"/api/events/{event_id}/{pids[2]}/attendance", {"checked_in": True})
    after, calls = _roster(api, event_id)
    assert calls == _made(api)
    assert after.headers["etag"] != before.headers["etag"]
    assert [b["checked_in"] for b in after.json()["roster"]] == [True, False, True]
    assert after.content == _afresh(api, event_id)


def test_credit_issued_elsewhere_and_run_out_shows_on_a_kept_roster(api, clock) -> None:
    event_id, pids = _event_with_history(api)
    _advance(api, clock, seconds=10)
    before, _ = _roster(api, event_id)
    assert before.json()["credit"] == {}
    r = api.post(
        f"/api/patrons/{pids[2]}/credit",
        {"amount_cents": 1250, "currency": "USD", "reason": "Rained off", "valid_days": 1},
    )
    assert r.status_code == 201, r.text
    # Credit given by hand belongs to no event: the roster's marker stays, its credit moves.
    credited, calls = _roster(api, event_id)
    assert calls == _kept(api)
    assert credited.headers["etag"] == before.headers["etag"]
    assert credited.json()["credit"] == {pids[2]: 1250}
    assert credited.content == _afresh(api, event_id)
    _advance(api, clock, days=1, seconds=1)
    ran_out, calls = _roster(api, event_id)
    assert calls == _kept(api)
    assert ran_out.json()["credit"] == {}
    assert ran_out.content == before.content


def test_a_kept_roster_is_gzipped_for_phones_that_ask(api, clock) -> None:
    event_id, _ = _event_with_history(api)
    _advance(api, clock, seconds=10)
    gz = {"Accept-Encoding": "gzip"}
    made, made_calls = _roster(api, event_id, **gz)
    plain, _ = _roster(api, event_id)
    kept, kept_calls = _roster(api, event_id, **gz)
    assert (made_calls, kept_calls) == (_made(api), _kept(api))
    assert len(plain.content) > 1024  # the size the app's GZip layer starts at
    for r in (made, kept):
        assert (r.headers["content-encoding"], r.headers["vary"]) == ("gzip", "Accept-Encoding")
        assert r.content == plain.content  # as the client undid the gzip
    assert "content-encoding" not in plain.headers


def test_the_cache_keeps_the_events_it_was_given_last() -> None:
    cache = RosterCache(events=2)
    answer = b'{"roster":[],"cursor":"aud_1","credit":{}}'
    now = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    settled = {"changed_at": now - SETTLE, "now": now}
    for event_id in ("evt_a", "evt_b"):
        kept = Kept.of(answer, marker="aud_1", currency="USD", patron_ids=[])
        cache.keep(event_id, kept, **settled)
    assert cache.get("evt_a", "aud_1") is not None  # now the most recently used
    cache.keep("evt_c", Kept.of(answer, marker="aud_1", currency="USD", patron_ids=[]), **settled)
    assert [cache.get(e, "aud_1") is not None for e in ("evt_a", "evt_b", "evt_c")] == [
        True,
        False,
        True,
    ]
    assert cache.get("evt_a", "aud_2") is None
    kept = cache.get("evt_a", "aud_1")
    assert kept is not None and kept.answer({"pat_1": 5}) == (
        b'{"roster":[],"cursor":"aud_1","credit":{"pat_1":5}}'
    )
    young = Kept.of(answer, marker="aud_9", currency="USD", patron_ids=[])
    cache.keep("evt_d", young, changed_at=now - SETTLE + timedelta(seconds=1), now=now)
    assert cache.get("evt_d", "aud_9") is None
    with pytest.raises(ValueError, match="empty credit"):
        Kept.of(b'{"credit":{"pat_1":5}}', marker="aud_1", currency="USD", patron_ids=[])


def test_an_app_told_to_keep_no_roster_makes_each_again(api, clock) -> None:
    app = create_app(
        dataclasses.replace(api.ctx.settings, roster_cache_events=0),
        store=api.ctx.store,
        clock=api.ctx.clock,
    )
    event_id, _ = _event_with_history(api)
    _advance(api, clock, seconds=10)
    off = Api(client_for(app, api.ctx), app.state.ctx, api.tokens)
    try:
        assert [_roster(off, event_id)[1] for _ in range(2)] == [_made(api)] * 2
    finally:
        off.client.close()
