"""The guest page after a weather call: what happened, the credit, and the patron's
choices (keep a move, a refund instead of credit, cancel a shifted booking)."""

from __future__ import annotations

import re

from shipcaptaincrew.domain import outbox as ob
from shipcaptaincrew.domain import settlements as rules
from tests.web.conftest import Api

SAME_ORIGIN = {"origin": "http://testserver", "sec-fetch-site": "same-origin"}


def _token(patron: dict) -> str:
    return patron["guest_url"].rsplit("/", 1)[1]


FORM_TOKENS: dict[str, str] = {}


def _choose(api: Api, token: str, choice: str):
    """Post ``choice`` as the page's button does (a page without buttons left: the token
    its earlier page carried)."""
    page = api.client.get(f"/g/{token}")
    found = re.findall(r'name="form_token" value="([^"]*)"', page.text)
    form_token = FORM_TOKENS.setdefault(token, found[0]) if found else FORM_TOKENS[token]
    return api.client.post(
        f"/g/{token}/settlement",
        data={"form_token": form_token, "choice": choice},
        headers=SAME_ORIGIN,
        follow_redirects=False,
    )


def test_patrons_keep_a_move_or_take_a_refund_instead_of_credit(api: Api) -> None:
    rainy = api.event(title="Rainy")
    later = api.event(title="Later", starts_at="2026-07-08T18:00:00-04:00", ends_at=None)
    ann, bob = api.patron(rainy["id"], "Ann Lee"), api.patron(rainy["id"], "Bob Ray")
    for p in (ann, bob):
        r = api.post(
            f"/api/events/{rainy['id']}/{p['patron_id']}/payment",
            {"amount_cents": 4500, "method": "cash"},
        )
        assert r.status_code == 201
    body = {
        "reason": "Storm",
        "message": "Sorry about the weather.",
        "parties": [
            {"patron_id": ann["patron_id"], "action": "credit"},
            {"patron_id": bob["patron_id"], "action": "move", "move_to": later["id"]},
        ],
    }
    plan = api.post(f"/api/events/{rainy['id']}/cancellation", body).json()
    page = api.client.get(f"/g/{_token(ann)}").text
    assert "What you paid, $45.00, is credit for any later booking." in page
    assert "Your credit: <strong>$45.00</strong>" in page
    assert "I&#39;d rather have a refund" in page
    assert "Keep this departure" not in page
    r = _choose(api, _token(ann), "refund")
    assert (r.status_code, r.headers["location"]) == (303, f"/g/{_token(ann)}#settlement")
    page = api.client.get(f"/g/{_token(ann)}").text
    assert "Crew will hand back $45.00." in page
    assert "I&#39;d rather have a refund" not in page
    assert _choose(api, _token(ann), "refund").status_code == 409
    credit = api.get(f"/api/patrons/{ann['patron_id']}/credit").json()
    assert credit["balances"] == [{"currency": "USD", "cents": 0}]
    report = api.get(f"/api/events/{rainy['id']}/settlements/{plan['id']}/report.csv").text
    ann_row = next(line for line in report.splitlines() if "Ann Lee" in line)
    assert ann_row.endswith("refund_requested,email queued; hand back $45.00")
    # Bob keeps the departure he was moved to; his new booking is linked.
    page = api.client.get(f"/g/{_token(bob)}").text
    assert "Your party now has its places on <strong>Later</strong>." in page
    assert _choose(api, _token(bob), "accept").status_code == 303
    assert "you're keeping this departure" in api.client.get(f"/g/{_token(bob)}").text
    stored = api.ctx.store.get_plan(rainy["id"], plan["id"])
    assert stored.step(bob["patron_id"]).choice == rules.ACCEPTED
    mails = [m for m in api.ctx.store.list_outbox() if m.kind == ob.SETTLED]
    assert sorted(m.dedup_key.count(":") for m in mails) == [2, 2, 3]  # Ann's refund: one more
    actions = [e["action"] for e in api.get(f"/api/audit?event_id={rainy['id']}").json()["entries"]]
    assert "settlement.patron_refund" in actions and "settlement.patron_accept" in actions


def test_a_patron_cancels_a_booking_whose_departure_moved(api: Api) -> None:
    trip = api.event(title="Morning")
    ann = api.patron(trip["id"], "Ann Lee")
    body = {"starts_at": "2026-07-01T20:00:00-04:00", "reason": "Tide"}
    assert api.post(f"/api/events/{trip['id']}/shift", body).status_code == 201
    assert "Cancel my booking" in api.client.get(f"/g/{_token(ann)}").text
    assert _choose(api, _token(ann), "cancel").status_code == 303
    booking = api.ctx.store.get_booking(trip["id"], ann["patron_id"])
    assert booking.status.value == "cancelled"
    assert "Cancel my booking" not in api.client.get(f"/g/{_token(ann)}").text
    assert _choose(api, _token(ann), "nonsense").status_code == 409


def test_a_moved_patron_chooses_another_departure(api: Api) -> None:
    rainy = api.event(title="Rainy")
    later = api.event(title="Later", starts_at="2026-07-08T18:00:00-04:00", ends_at=None)
    third = api.event(title="Third", starts_at="2026-07-09T18:00:00-04:00", ends_at=None)
    bob = api.patron(rainy["id"], "Bob Ray")
    paid = {"amount_cents": 4500, "method": "cash"}
    assert (
        api.post(f"/api/events/{rainy['id']}/{bob['patron_id']}/payment", paid).status_code == 201
    )
    move = {"patron_id": bob["patron_id"], "action": "move", "move_to": later["id"]}
    plan = api.post(
        f"/api/events/{rainy['id']}/cancellation", {"reason": "Storm", "parties": [move]}
    ).json()
    page = api.client.get(f"/g/{_token(bob)}").text
    assert f'<option value="{third["id"]}">Third,' in page
    assert f'<option value="{later["id"]}"' not in page
    page_token = re.findall(r'name="form_token" value="([^"]*)"', page)[0]
    r = api.client.post(
        f"/g/{_token(bob)}/settlement",
        data={"form_token": page_token, "choice": "other", "move_to": third["id"]},
        headers=SAME_ORIGIN,
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert api.ctx.store.get_booking(later["id"], bob["patron_id"]).status.value == "cancelled"
    now = api.get(f"/api/events/{third['id']}/{bob['patron_id']}/payment").json()
    assert (now["amount_paid_cents"], now["payment_cleared"]) == (4500, True)
    step = api.ctx.store.get_plan(rainy["id"], plan["id"]).step(bob["patron_id"])
    assert (step.choice, step.outcome["chosen"]) == (rules.CHOSE_OTHER, third["id"])
    page = api.client.get(f"/g/{_token(bob)}").text
    moved = api.ctx.store.get_booking(third["id"], bob["patron_id"])
    assert f'href="http://testserver/g/{moved.guest_token}"' in page
    assert "Or choose another departure" not in page
    again = api.client.post(
        f"/g/{_token(bob)}/settlement",
        data={"form_token": page_token, "choice": "other", "move_to": later["id"]},
        headers=SAME_ORIGIN,
    )
    assert again.status_code == 409


def test_a_credited_patron_books_another_departure_with_their_credit(api: Api) -> None:
    rainy = api.event(title="Rainy")
    later = api.event(title="Later", starts_at="2026-07-08T18:00:00-04:00", ends_at=None)
    full = api.event(title="Full", starts_at="2026-07-02T18:00:00-04:00", ends_at=None, capacity=1)
    api.patron(full["id"], "Cy Full")
    dee = api.patron(rainy["id"], "Dee Park", party_size=2)
    paid = {"amount_cents": 6000, "method": "cash"}
    assert (
        api.post(f"/api/events/{rainy['id']}/{dee['patron_id']}/payment", paid).status_code == 201
    )
    credit = {"patron_id": dee["patron_id"], "action": "credit"}
    plan = api.post(
        f"/api/events/{rainy['id']}/cancellation", {"reason": "Storm", "parties": [credit]}
    ).json()
    page = api.client.get(f"/g/{_token(dee)}").text
    assert "Book another departure with your credit" in page
    assert f'<option value="{later["id"]}">Later,' in page
    assert f'<option value="{full["id"]}"' not in page
    page_token = re.findall(r'name="form_token" value="([^"]*)"', page)[0]

    def book(move_to: str):
        return api.client.post(
            f"/g/{_token(dee)}/settlement",
            data={"form_token": page_token, "choice": "other", "move_to": move_to},
            headers=SAME_ORIGIN,
            follow_redirects=False,
        )

    assert book(full["id"]).status_code == 409  # not offered: no room
    assert book(later["id"]).status_code == 303
    card = api.get(f"/api/events/{later['id']}/{dee['patron_id']}/payment").json()
    assert (card["amount_due_cents"], card["amount_paid_cents"]) == (9000, 6000)
    assert ([p["method"] for p in card["payments"]], card["credit_cents"]) == (["credit"], 0)
    kinds = [e.kind for e in api.ctx.store.list_credits(dee["patron_id"])]
    assert kinds == ["issued", "used"]
    step = api.ctx.store.get_plan(rainy["id"], plan["id"]).step(dee["patron_id"])
    assert (step.choice, step.outcome["chosen"]) == (rules.CHOSE_OTHER, later["id"])
    mails = [m for m in api.ctx.store.list_outbox() if m.event_id == later["id"]]
    assert [(m.kind, m.patron_id) for m in mails] == [(ob.BOOKED, dee["patron_id"])]
    audit = api.get(f"/api/audit?event_id={rainy['id']}").json()["entries"]
    assert [e["action"] for e in audit if e["actor"].startswith("guest")] == [
        "settlement.patron_booked"
    ]
    page = api.client.get(f"/g/{_token(dee)}").text
    moved = api.ctx.store.get_booking(later["id"], dee["patron_id"])
    assert "You booked <strong>Later</strong> with your credit." in page
    assert f'href="http://testserver/g/{moved.guest_token}"' in page
    assert "Book another departure" not in page
    assert book(later["id"]).status_code == 409  # once
