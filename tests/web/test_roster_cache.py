"""A roster nothing changed on is answered from the answer this process kept, with its
credit read and rendered again: the same bytes as the roster made afresh, from the sign-in,
the change marker and the credit read alone. On a store on this machine a kept roster that
changed since is brought up to date from its changes: the bookings they changed are read
again, one read each. Runs in-process on SQLite and through the Lambda handler on
DynamoDB."""

from __future__ import annotations

import dataclasses
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shipcaptaincrew.domain.models import Role, evolve
from shipcaptaincrew.services import roster
from shipcaptaincrew.web.app import create_app
from shipcaptaincrew.web.roster_cache import SETTLE, Kept, RosterCache
from shipcaptaincrew.web.routes import roster as roster_routes
from shipcaptaincrew.web.routes.common import counts_out, event_out
from shipcaptaincrew.web.routes.roster import PATCH_LOOKBACK
from shipcaptaincrew.web.routes.roster import _kept as kept_answer
from shipcaptaincrew.web.schemas import BookingOut, RosterOut
from tests import factories as f
from tests.store_calls import counted
from tests.web.conftest import Api, client_for, roster_afresh

# A SQLite store keeps a sign-in once read (storage/signin_cache.py): the crew member's was
# read before any roster read is counted.
SIGN_IN = {"sql": [], "dynamodb": ["GetItem", "GetItem"]}
# After the sign-in: the marker, then (made afresh) the event, its bookings and their
# receipt emails, then the credit of its patrons.
MADE = {"sql": ["SELECT"] * 5, "dynamodb": ["Query", "GetItem", "Query", "Query", "BatchGetItem"]}
KEPT = {"sql": ["SELECT"] * 2, "dynamodb": ["Query", "BatchGetItem"]}
# Made afresh under a marker younger than SETTLE: first the newest entry that is not, the
# one the answer surely holds every change up to (on a store on this machine, which keeps
# the answer to bring up to date).
YOUNG = {"sql": ["SELECT"], "dynamodb": []}


def _brought_up_to_date(changed: int) -> list[str]:
    """The marker, the changes since the kept answer's, each changed booking, the credit."""
    return ["SELECT"] * (3 + changed)


def _kind(api: Api) -> str:
    return "sql" if hasattr(api.ctx.store, "engine") else "dynamodb"


def _roster(api: Api, event_id: str, **headers: str) -> tuple[Any, list[str]]:
    """The roster, uncompressed unless ``headers`` ask (httpx asks for gzip by default)."""
    headers = {"Accept-Encoding": "identity", **headers}
    with counted(api.ctx) as calls:
        r = api.get(f"/api/events/{event_id}/roster", role=Role.CREW, headers=headers)
    assert r.status_code == 200, r.text
    return r, [c.removeprefix("before-call.dynamodb.") for c in calls]


def _made(api: Api, *, young: bool = False) -> list[str]:
    made = MADE[_kind(api)]
    return SIGN_IN[_kind(api)] + made[:1] + YOUNG[_kind(api)] * young + made[1:]


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
    """Every change of this event is younger than SETTLE: no entry it surely holds, nothing
    to bring up to date from."""
    event_id, _ = _event_with_history(api)
    _advance(api, clock, seconds=9)
    assert [_roster(api, event_id)[1] for _ in range(2)] == [_made(api, young=True)] * 2
    _advance(api, clock, seconds=1)
    assert [_roster(api, event_id)[1] for _ in range(2)] == [_made(api), _kept(api)]


def _check_in(api: Api, event_id: str, patron_id: str, on: bool = True) -> None:
    r = api.post(f"/api/events/{event_id}/{patron_id}/attendance", {"checked_in": on})
    assert r.status_code == 200, r.text


def test_a_change_to_a_kept_roster_shows_at_once(api, clock) -> None:
    event_id, pids = _event_with_history(api)
    _advance(api, clock, seconds=10)
    before, _ = _roster(api, event_id)
    _roster(api, event_id)
    _check_in(api, event_id, pids[2])
    after, calls = _roster(api, event_id)
    local = api.ctx.store.local
    assert calls == (SIGN_IN[_kind(api)] + _brought_up_to_date(1) if local else _made(api))
    assert after.headers["etag"] != before.headers["etag"]
    assert after.headers["etag"] == f'"{after.json()["cursor"]}"'
    assert [b["checked_in"] for b in after.json()["roster"]] == [True, False, True]
    assert after.json()["counts"]["checked_in"] == 2
    assert after.content == _afresh(api, event_id)


def test_a_kept_roster_is_brought_up_to_date_until_its_changes_settle(api, clock) -> None:
    """Brought up to date on every request while its newest changes are younger than
    SETTLE (a change committed late, under an older marker, is read again with them);
    answered as it is once they have settled."""
    event_id, pids = _event_with_history(api)
    if not api.ctx.store.local:
        pytest.skip("a store elsewhere makes the roster afresh after a change")
    _advance(api, clock, seconds=10)
    _roster(api, event_id)
    _check_in(api, event_id, pids[2])
    _advance(api, clock, seconds=4)
    r = api.post(
        f"/api/events/{event_id}/{pids[0]}/payment",
        {"amount_cents": 4500, "method": "card"},
        headers={"Idempotency-Key": "up-to-date-1"},
    )
    assert r.status_code == 201, r.text
    sign_in = SIGN_IN[_kind(api)]
    first, calls = _roster(api, event_id)
    assert calls == sign_in + _brought_up_to_date(2)
    # Neither change has settled: their entries are read again, their bookings are not.
    again, calls = _roster(api, event_id)
    assert calls == sign_in + _brought_up_to_date(0)
    _advance(api, clock, seconds=7)  # the check-in has settled
    assert _roster(api, event_id)[1] == sign_in + _brought_up_to_date(0)
    _advance(api, clock, seconds=4)  # so has the payment: the answer holds every change
    settled, calls = _roster(api, event_id)
    assert calls == sign_in + _brought_up_to_date(0)
    assert _roster(api, event_id)[1] == _kept(api)
    assert first.content == again.content == settled.content == _afresh(api, event_id)
    ann = first.json()["roster"][0]
    assert (ann["name"], ann["amount_paid_cents"], ann["receipt_email"]) == (
        "Ann Lee",
        4500,
        "queued",
    )
    assert [b["checked_in"] for b in first.json()["roster"]] == [True, False, True]


def test_a_change_committed_late_under_an_older_marker_is_read_again(api, clock) -> None:
    """PostgreSQL numbers an entry as it is written, not as it commits: a change can show
    up among the entries after one already seen. A kept answer remembers the entries it has
    seen since its ``since`` and reads again the booking of any other."""
    event_id, pids = _event_with_history(api)
    if not api.ctx.store.local:
        pytest.skip("a store elsewhere makes the roster afresh after a change")
    rosters = api.client.app.state.rosters
    _advance(api, clock, seconds=10)
    _roster(api, event_id)
    stale = rosters.latest(event_id)  # made before the check-in below: without it
    _check_in(api, event_id, pids[2])
    _roster(api, event_id)
    current = rosters.latest(event_id)
    [late] = current.seen
    # As if the answer had been made just before the check-in committed, under the newer
    # marker: the check-in's entry not seen.
    rosters.keep(
        event_id,
        dataclasses.replace(stale, marker=current.marker, seen=current.seen - {late}),
        changed_at=api.ctx.now(),
        now=api.ctx.now(),
    )
    after, calls = _roster(api, event_id)
    assert calls == SIGN_IN[_kind(api)] + _brought_up_to_date(1)
    assert [b["checked_in"] for b in after.json()["roster"]] == [True, False, True]
    assert after.content == _afresh(api, event_id)


def test_many_changes_to_few_bookings_are_read_further_back(api, clock) -> None:
    """The last PATCH_LOOKBACK[0] entries first; when the kept answer's is not among them,
    the last PATCH_LOOKBACK[1]."""
    event_id, pids = _event_with_history(api)
    if not api.ctx.store.local:
        pytest.skip("a store elsewhere makes the roster afresh after a change")
    _advance(api, clock, seconds=10)
    _roster(api, event_id)
    for i in range(PATCH_LOOKBACK[0] + 1):
        _check_in(api, event_id, pids[2], on=i % 2 == 0)
    after, calls = _roster(api, event_id)
    assert calls == SIGN_IN[_kind(api)] + _brought_up_to_date(1) + ["SELECT"]
    assert [b["checked_in"] for b in after.json()["roster"]] == [True, False, True]
    assert after.content == _afresh(api, event_id)


def test_a_roster_made_after_many_young_changes_finds_a_settled_one_further_back(
    api, clock
) -> None:
    """Made afresh while more than PATCH_LOOKBACK[0] of the event's entries are younger
    than SETTLE: the newest settled entry, the one the answer surely holds, is read further
    back (the last PATCH_LOOKBACK[1]), so the answer kept is brought up to date at the next
    change instead of made again."""
    event_id, pids = _event_with_history(api)
    if not api.ctx.store.local:
        pytest.skip("a store elsewhere makes the roster afresh after a change")
    _advance(api, clock, seconds=10)
    for i in range(PATCH_LOOKBACK[0] + 1):
        _check_in(api, event_id, pids[2], on=i % 2 == 0)
    _, calls = _roster(api, event_id)
    made, marker = _made(api), len(SIGN_IN[_kind(api)]) + 1
    assert calls == made[:marker] + ["SELECT", "SELECT"] + made[marker:]
    _check_in(api, event_id, pids[0], on=False)
    after, calls = _roster(api, event_id)
    assert calls == SIGN_IN[_kind(api)] + _brought_up_to_date(1) + ["SELECT"]
    assert [b["checked_in"] for b in after.json()["roster"]] == [False, False, True]
    assert after.content == _afresh(api, event_id)


@pytest.mark.parametrize("change", ["event", "new patron", "renamed", "too many"])
def test_a_kept_roster_is_made_again_after_a_change_it_cannot_take(
    api, clock, change, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "Too many" is one more booking changed than the limit, whatever the limit: a small one
    # here, so the test changes six bookings rather than forty-one. Not smaller: bringing
    # four up to date reads as many statements as making the roster afresh.
    monkeypatch.setattr(roster_routes, "PATCH_MAX", 5)
    event_id, pids = _event_with_history(api)
    _advance(api, clock, seconds=10)
    _roster(api, event_id)
    if change == "event":
        r = api.patch(f"/api/events/{event_id}", {"title": "Moonlight cruise"})
        assert r.status_code == 200, r.text
    elif change == "new patron":
        api.patron(event_id, "Ada Ames")  # first by name: the answer's order changes
    elif change == "renamed":  # no route renames a booking: the store, as a migration would
        store = api.ctx.store
        booking = store.get_booking(event_id, pids[2])
        audit = f.audit_entry("booking.renamed", event_id, pids[2], at=api.ctx.now())
        store.update_booking(evolve(booking, patron_name="Al Zed"), booking.version, audit)
    else:
        more = [
            api.patron(event_id, f"Guest {i}")["patron_id"] for i in range(roster_routes.PATCH_MAX)
        ]
        _advance(api, clock, seconds=10)
        _roster(api, event_id)
        for pid in [*more, pids[2]]:
            _check_in(api, event_id, pid)
    after, calls = _roster(api, event_id)
    # On a store on this machine, first the changes since the kept answer, and the renamed
    # booking, read before its new name is seen.
    reads = {"renamed": 2}.get(change, 1)
    tried = ["SELECT"] * reads if api.ctx.store.local else []
    made, marker = _made(api, young=True), len(SIGN_IN[_kind(api)]) + 1
    assert calls == made[:marker] + tried + made[marker:]
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


def test_an_answer_with_its_parts_is_gzipped_in_pieces_kept_for_the_next() -> None:
    """An answer with its parts is one gzip member made of pieces, its bookings GZIP_GROUP
    at a time; the answer brought up to date from it compresses only the groups that
    changed, and the client reads the same bytes either way."""
    import gzip

    from shipcaptaincrew.web.roster_cache import GZIP_GROUP, Parts

    def answer(entries: list[bytes], cursor: str) -> bytes:
        return b"".join(
            [
                b'{"event":{"title":"\\"roster\\":["},"counts":{"booked":3},"roster":[',
                b",".join(entries),
                b'],"cursor":"',
                cursor.encode(),
                b'","credit":{}}',
            ]
        )

    def kept(entries: list[bytes], cursor: str, **kw: Any) -> Kept:
        parts = Parts(None, None, [], entries, {})  # type: ignore[arg-type]
        return Kept.of(
            answer(entries, cursor),
            marker=cursor,
            currency="USD",
            patron_ids=[],
            since=cursor,
            parts=parts,
            **kw,
        )

    entries = [b'{"n":%d,"name":"Guest %d"}' % (i, i) for i in range(2 * GZIP_GROUP + 5)]
    first = kept(entries, "aud_1")
    body = first.gzipped({"pat_1": 100})
    assert gzip.decompress(body) == first.answer({"pat_1": 100})
    assert len(first.pieces) == 3
    changed = [*entries]
    changed[GZIP_GROUP + 1] = b'{"n":-1,"name":"Changed"}'
    second = kept(changed, "aud_2", pieces=first.pieces)
    assert gzip.decompress(second.gzipped({})) == second.answer({})
    unchanged = [tuple(entries[:GZIP_GROUP]), tuple(entries[2 * GZIP_GROUP :])]
    assert [second.pieces[g] is first.pieces[g] for g in unchanged] == [True, True]
    assert tuple(changed[GZIP_GROUP : 2 * GZIP_GROUP]) not in first.pieces
    # Parts that are not its bookings (never made so): the whole answer in one piece.
    odd = kept(entries, "aud_3")
    odd.parts = Parts(None, None, [], entries[1:], {})  # type: ignore[arg-type]
    assert gzip.decompress(odd.gzipped({})) == odd.answer({})
    assert odd.pieces == {}


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


PHONES = 6  # asking for one roster at once


@pytest.mark.parametrize(("events", "makes"), [(8, 1), (0, PHONES)])
def test_rosters_asked_at_once_are_made_once_and_shared(
    sqlite_store: Any,
    settings: Any,
    clock: Any,
    monkeypatch: pytest.MonkeyPatch,
    events: int,
    makes: int,
) -> None:
    """Six phones load a roster nothing kept at once: it is made once, and all six get it;
    an app told to keep no roster makes it for each."""
    settings = dataclasses.replace(settings, roster_cache_events=events, mail_after_commit=False)
    app = create_app(settings, store=sqlite_store, clock=clock)
    ctx = app.state.ctx
    admin = f.crew_fast(ctx, Role.ADMIN, "admin@example.org")
    event = f.event(ctx, admin)
    for i in range(3):
        f.booking(ctx, admin, event.id, name=f"Pat {i}")
    made: list[str] = []
    make = roster_routes._made
    rosters = app.state.rosters
    made_once = rosters.made_once
    asked: list[str] = []
    all_asked = threading.Event()

    async def asking(event_id: str, marker: str, making: Any) -> Any:
        asked.append(marker)
        if len(asked) == PHONES:
            all_asked.set()
        return await made_once(event_id, marker, making)

    def slowly(*args: Any) -> Any:
        made.append(threading.current_thread().name)
        # "At once": every phone has asked before the roster is made, however slowly the
        # machine starts the requests.
        assert all_asked.wait(timeout=30)
        return make(*args)

    monkeypatch.setattr(roster_routes, "_made", slowly)
    monkeypatch.setattr(rosters, "made_once", asking)
    with TestClient(app) as client:  # one event loop for every request
        client.headers.update(
            {"Authorization": f"Bearer {f.session_for(ctx, admin)}", "Accept-Encoding": "identity"}
        )
        with ThreadPoolExecutor(PHONES) as pool:
            answers = list(
                pool.map(lambda _: client.get(f"/api/events/{event.id}/roster"), range(PHONES))
            )
    assert [r.status_code for r in answers] == [200] * PHONES
    assert len({r.content for r in answers}) == 1
    assert [b["name"] for b in answers[0].json()["roster"]] == ["Pat 0", "Pat 1", "Pat 2"]
    assert len(made) == makes


def test_the_answer_made_from_its_parts_is_the_roster_model_s_json(api, clock) -> None:
    """The answer is put together from each booking's part (``routes/roster._whole``): the
    same bytes as ``RosterOut`` serialised whole."""
    event_id, pids = _event_with_history(api)
    party = api.patron(event_id, "Zoë O'Brien-Ñúñez", party_size=3)["patron_id"]
    r = api.post(f"/api/events/{event_id}/{party}/cancel", {"reason": "Ill"})
    assert r.status_code == 200, r.text
    view = roster.roster(api.ctx, event_id=event_id)
    url = api.ctx.settings.public_url
    whole = RosterOut.model_validate(
        {
            "event": event_out(view.event, view.counts),
            "counts": counts_out(view.counts),
            "roster": [
                BookingOut.fields_of(b.booking, url, b.receipt_email) for b in view.bookings
            ],
            "cursor": "aud_x",
            "credit": {},
        }
    )
    kept = kept_answer(view, "aud_x", url)
    assert kept.answer({}) == whole.model_dump_json().encode()
    assert [b["name"] for b in whole.model_dump()["roster"]][-1] == "Zoë O'Brien-Ñúñez"
    assert whole.roster[-1].status == "cancelled" and whole.roster[1].receipt_email == "queued"
