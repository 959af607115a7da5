"""Every change a roster shows moves its event's change marker (the ETag, the live-sync
cursor and the key a kept roster is found under: web/roster_cache.py), whatever made it:
crew at the dock, a void, email delivery, the waitlist, a headcount, a batch, an edit of the
event, a rebooking onto another event and a cancellation with its plan. Credit is the one
part of a roster that moves without its marker; it is read on every request. Runs
in-process on SQLite and through the Lambda handler on DynamoDB."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from shipcaptaincrew.bootstrap import build_sender
from shipcaptaincrew.services import outbox
from tests.web.conftest import Api, roster_afresh


def _seen(api: Api, event_ids: list[str]) -> dict[str, tuple[str, Any]]:
    """Each event's marker and its roster without the credit, as a new app answers them."""
    out = {}
    for event_id in event_ids:
        r = roster_afresh(api, event_id)
        body = json.loads(r.content)
        del body["credit"], body["cursor"]
        out[event_id] = (r.headers["etag"], body)
    return out


def test_every_change_a_roster_shows_moves_its_marker(api: Api) -> None:
    first = api.event(title="Sunset", capacity=2)
    later = api.event(title="Later", starts_at="2026-07-08T18:00:00-04:00", ends_at=None)
    events = [first["id"], later["id"]]
    ids: dict[str, str] = {}
    paid: dict[str, str] = {}

    def post(path: str, body: Any = None, code: int = 200, **headers: str) -> Any:
        r = api.post(path, body, headers=headers)
        assert r.status_code == code, (path, r.text)
        return r.json()

    def add(name: str) -> Callable[[], None]:
        def step() -> None:
            ids[name] = api.patron(first["id"], name)["patron_id"]

        return step

    def on(name: str, what: str, body: Any = None, code: int = 200) -> Callable[[], None]:
        return lambda: post(f"/api/events/{first['id']}/{ids[name]}/{what}", body, code)

    def pay() -> None:
        url = f"/api/events/{first['id']}/{ids['Ann Lee']}/payment"
        body = {"amount_cents": 4500, "method": "cash"}
        paid["id"] = post(url, body, 201, **{"Idempotency-Key": "marker-1"})["payment"]["id"]

    def deliver() -> None:
        assert outbox.deliver_due(api.ctx, build_sender(api.ctx.settings)).sent >= 1

    def rebook() -> None:
        plan = post(
            f"/api/events/{first['id']}/{ids['Cy Diaz']}/rebook",
            {"move_to": later["id"], "reason": "Moved"},
            201,
        )
        assert plan["steps"][0]["state"] == "done", plan

    def cancel_later() -> None:
        body = {"reason": "Storm", "default_action": "credit"}
        plan = post(f"/api/events/{later['id']}/cancellation", body, 201)
        assert [s["state"] for s in plan["steps"]] == ["done"], plan

    steps: list[tuple[str, Callable[[], None]]] = [
        ("book Ann", add("Ann Lee")),
        ("book Bo", add("Bo Chan")),
        ("waitlist Cy", add("Cy Diaz")),
        ("check Ann in", on("Ann Lee", "attendance", {"checked_in": True})),
        ("paper waiver for Bo", on("Bo Chan", "waiver", {})),
        ("pay for Ann", pay),
        ("send the receipt", deliver),
        ("void Ann's payment", lambda: post(f"/api/payments/{paid['id']}/void", {"reason": "No"})),
        ("send the void's email", deliver),
        ("cancel Bo", on("Bo Chan", "cancel", {"reason": "Sick"})),
        ("promote Cy", on("Cy Diaz", "promote")),
        ("check Cy in", on("Cy Diaz", "attendance", {"checked_in": True, "board_anyway": "ok"})),
        ("Cy's party went aboard", on("Cy Diaz", "headcount", {"aboard": 1, "returned": 0})),
        (
            "a batch of payments",
            lambda: post(
                f"/api/events/{first['id']}/payments/batch",
                {
                    "payments": [
                        {"patron_id": ids["Cy Diaz"], "amount_cents": 100, "method": "card"}
                    ]
                },
                201,
            ),
        ),
        ("rename the event", lambda: api.patch(f"/api/events/{first['id']}", {"title": "Dusk"})),
        ("rebook Cy onto the later event", rebook),
        ("cancel the later event", cancel_later),
    ]
    before = _seen(api, events)
    for name, step in steps:
        step()
        after = _seen(api, events)
        for event_id in events:
            (old_mark, old), (new_mark, new) = before[event_id], after[event_id]
            assert new == old or new_mark != old_mark, f"{name}: {event_id} changed unmarked"
        assert after != before, f"{name} changed no roster"
        before = after
