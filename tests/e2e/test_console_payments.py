"""The dispatch console in a real browser: logging payments (one, twice clicked, offline
and retried, in a batch) and voiding them."""

from __future__ import annotations

import time
from email import message_from_bytes
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import card, screenshot, seed_event, sign_in


def payments_of(api, event_id: str, patron_id: str) -> list[dict]:
    r = api.get(f"/api/events/{event_id}/{patron_id}/payment")
    assert r.status_code == 200
    return r.json()["payments"]


def open_roster(page: Page, live_server, event: dict) -> None:
    sign_in(page, live_server)
    page.get_by_role("link", name=event["title"]).click()
    expect(page.locator("#roster-title")).to_have_text(event["title"])
    expect(page).to_have_url(f"{live_server.url}/#/events/{event['id']}")


def test_log_payment_in_modal_double_click_logs_once_without_reload(page, live_server, api):
    seeded = seed_event(api, ["Ava Okafor"])
    event_id, ava = seeded["event"]["id"], seeded["ids"]["Ava Okafor"]
    open_roster(page, live_server, seeded["event"])
    page.evaluate("window.__sameDocument = 'still here'")

    card(page, ava).get_by_role("button", name="Log payment").click()
    dialog = page.locator("#pay-dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#pay-patron")).to_have_text("Ava Okafor")
    expect(page.locator("#pay-event")).to_contain_text(seeded["event"]["title"])
    expect(page.locator("#pay-owed")).to_have_text("$40.00")
    expect(page.locator("#pay-amount")).to_have_value("40.00")
    expect(page.locator("#pay-amount")).to_be_focused()
    page.locator("#pay-reference").fill("till 2")
    page.locator("#pay-submit").dblclick()

    expect(dialog).to_be_hidden()
    expect(card(page, ava).locator(".badge").first).to_have_text("Paid")
    expect(card(page, ava).get_by_role("button", name="Log payment")).to_have_count(0)
    expect(page.locator("#total-paid")).to_have_text("1 of 1")
    expect(page.locator("#total-collected")).to_have_text("$40.00 of $40.00")
    expect(page.locator("#toast-text")).to_have_text("$40.00 Cash logged for Ava Okafor.")
    assert page.evaluate("window.__sameDocument") == "still here"

    logged = payments_of(api, event_id, ava)
    assert [(p["amount_cents"], p["method"], p["reference"]) for p in logged] == [
        (4000, "cash", "till 2")
    ]


def test_refused_payment_keeps_what_was_typed_and_offline_one_is_sent_once(page, live_server, api):
    seeded = seed_event(api, ["Ben Lindqvist"])
    event_id, ben = seeded["event"]["id"], seeded["ids"]["Ben Lindqvist"]
    open_roster(page, live_server, seeded["event"])
    card(page, ben).get_by_role("button", name="Log payment").click()

    page.locator("#pay-amount").fill("99.00")
    page.locator("#pay-note").fill("paid at the gate")
    page.locator("#pay-submit").click()
    expect(page.locator("#pay-error")).to_have_text("Amount is more than the $40.00 left to pay.")
    expect(page.locator("#pay-amount")).to_have_value("99.00")
    expect(page.locator("#pay-note")).to_have_value("paid at the gate")

    page.locator("#pay-amount").fill("15.00")
    page.context.set_offline(True)
    page.locator("#pay-submit").click()
    expect(page.locator("#pay-dialog")).to_be_hidden()
    expect(page.locator("#offline")).to_be_visible()
    expect(card(page, ben).locator(".queued")).to_contain_text(
        "Waiting to send: payment of $15.00 Cash"
    )
    assert payments_of(api, event_id, ben) == []

    page.context.set_offline(False)
    expect(card(page, ben).locator(".queued")).to_have_count(0)
    expect(card(page, ben).locator(".badge").first).to_have_text("Partly paid · $25.00 left")
    assert [(p["amount_cents"], p["note"]) for p in payments_of(api, event_id, ben)] == [
        (1500, "paid at the gate")
    ]


def test_payment_another_phone_logged_first_shows_it_and_the_servers_ready(page, live_server, api):
    seeded = seed_event(api, ["Ida Lindqvist"])
    event_id, ida = seeded["event"]["id"], seeded["ids"]["Ida Lindqvist"]
    api.post(f"/api/events/{event_id}/{ida}/waiver", json={"kind": "paper"})
    api.post(f"/api/events/{event_id}/{ida}/attendance", json={"checked_in": True})
    open_roster(page, live_server, seeded["event"])
    expect(card(page, ida).locator(".badge-ready")).to_have_count(0)
    card(page, ida).get_by_role("button", name="Log payment").click()

    other_phone = api.post(
        f"/api/events/{event_id}/{ida}/payment", json={"amount_cents": 4000, "method": "cash"}
    )
    assert other_phone.status_code == 201
    page.locator("#pay-submit").click()
    expect(page.locator("#pay-error")).to_have_text("This booking is already paid in full.")
    page.locator("#pay-dialog").get_by_role("button", name="Cancel").click()
    expect(card(page, ida).locator(".badge").first).to_have_text("Paid")
    expect(card(page, ida).locator(".badge-ready")).to_have_text("Ready to board")
    expect(page.locator("#total-ready")).to_have_text("1 of 1")
    assert [p["id"] for p in payments_of(api, event_id, ida)] == [
        other_phone.json()["payment"]["id"]
    ]


def test_batch_payment_of_three_patrons(page, live_server, api):
    names = ["Chloe Moreau", "Dev Patel", "Elena Nakamura", "Finn O'Brien"]
    seeded = seed_event(api, names)
    event_id, ids = seeded["event"]["id"], seeded["ids"]
    open_roster(page, live_server, seeded["event"])

    for name in names[:3]:
        card(page, ids[name]).get_by_role("checkbox").check()
    expect(page.locator("#batch-count")).to_have_text("3 selected · $120.00")
    page.get_by_role("button", name="Log payments").click()
    expect(page.locator("#batch-list li")).to_have_count(3)
    expect(page.locator("#batch-total")).to_have_text("$120.00")
    page.locator("#batch-method").select_option("card")
    page.locator("#batch-submit").dblclick()

    expect(page.locator("#batch-dialog")).to_be_hidden()
    for name in names[:3]:
        expect(card(page, ids[name]).locator(".badge").first).to_have_text("Paid")
    expect(card(page, ids[names[3]]).locator(".badge").first).to_have_text("Unpaid · $40.00 left")
    expect(page.locator("#batch-bar")).to_be_hidden()
    expect(page.locator("#total-paid")).to_have_text("3 of 4")
    for name in names[:3]:
        logged = payments_of(api, event_id, ids[name])
        assert [(p["amount_cents"], p["method"]) for p in logged] == [(4000, "card")]
    assert payments_of(api, event_id, ids[names[3]]) == []


def test_void_payment_with_reason(page, live_server, api):
    seeded = seed_event(api, ["Grace Silva"])
    event_id, grace = seeded["event"]["id"], seeded["ids"]["Grace Silva"]
    r = api.post(
        f"/api/events/{event_id}/{grace}/payment", json={"amount_cents": 4000, "method": "cash"}
    )
    assert r.status_code == 201
    payment_id = r.json()["payment"]["id"]
    open_roster(page, live_server, seeded["event"])
    expect(card(page, grace).locator(".badge").first).to_have_text("Paid")

    card(page, grace).get_by_role("button", name="Payments").click()
    history = page.locator("#history-dialog")
    expect(page.locator("#history-title")).to_have_text("Payments · Grace Silva")
    receipt = history.get_by_role("link", name="Receipt")
    expect(receipt).to_have_attribute("href", f"/api/payments/{payment_id}/receipt.pdf")
    history.get_by_role("button", name="Void").click()
    expect(page.locator("#void-reason")).to_be_focused()
    page.locator("#void-submit").click()
    expect(page.locator("#history-error")).to_have_text("Give a reason for voiding this payment.")
    page.locator("#void-reason").fill("Logged on the wrong patron")
    page.locator("#void-submit").click()

    expect(history.locator(".payment.is-voided")).to_have_count(1)
    expect(history.locator(".payment")).to_contain_text(
        "Voided by Ada Admin: Logged on the wrong patron"
    )
    history.get_by_role("button", name="Close").click()
    expect(card(page, grace).locator(".badge").first).to_have_text("Unpaid · $40.00 left")
    [payment] = payments_of(api, event_id, grace)
    assert (payment["voided"], payment["void_reason"]) == (True, "Logged on the wrong patron")
    screenshot(page, "roster-after-void")


def test_receipt_email_badge_and_receipt_download(page, live_server, api):
    from io import BytesIO

    from pypdf import PdfReader

    seeded = seed_event(api, ["Noor Haddad"])
    event_id, noor = seeded["event"]["id"], seeded["ids"]["Noor Haddad"]
    r = api.post(
        f"/api/events/{event_id}/{noor}/payment", json={"amount_cents": 4000, "method": "card"}
    )
    assert r.status_code == 201
    receipt_no = r.json()["payment"]["receipt_no"]

    # The server mails the receipt right after the response (console sender: a .eml file).
    def status() -> str | None:
        roster = api.get(f"/api/events/{event_id}/roster").json()["roster"]
        return next(b["receipt_email"] for b in roster if b["patron_id"] == noor)

    deadline = time.monotonic() + 20
    while status() != "sent" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert status() == "sent"
    to_noor = [
        mail["Subject"]
        for path in (live_server.var_dir / "outbox").glob("*.eml")
        if seeded["emails"]["Noor Haddad"] in (mail := message_from_bytes(path.read_bytes()))["To"]
    ]
    # One receipt (beside the booking email sent when Noor was booked).
    assert [s for s in to_noor if s.startswith("Payment received")] == [
        f"Payment received: receipt {receipt_no} for {seeded['event']['title']}"
    ]
    open_roster(page, live_server, seeded["event"])
    expect(card(page, noor).locator(".badge-mail-sent")).to_have_text("Receipt email sent")

    card(page, noor).get_by_role("button", name="Payments").click()
    with page.expect_download() as download:
        page.locator("#history-dialog").get_by_role("link", name=f"Receipt #{receipt_no}").click()
    pdf = Path(download.value.path()).read_bytes()
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages)
    assert "Noor Haddad" in text
    assert "$40.00" in text
    assert str(receipt_no) in text


def test_refund_part_of_a_cash_payment(page, live_server, api):
    seeded = seed_event(api, ["Hana Ito"])
    event_id, hana = seeded["event"]["id"], seeded["ids"]["Hana Ito"]
    r = api.post(
        f"/api/events/{event_id}/{hana}/payment", json={"amount_cents": 4000, "method": "cash"}
    )
    assert r.status_code == 201
    open_roster(page, live_server, seeded["event"])
    card(page, hana).get_by_role("button", name="Payments").click()
    history = page.locator("#history-dialog")
    history.get_by_role("button", name="Refund").click()
    expect(page.locator("#refund-amount")).to_have_value("40.00")
    page.locator("#refund-amount").fill("15.00")
    page.locator("#refund-reason").fill("Left before boarding")
    page.locator("#refund-submit").click()
    expect(history.locator(".payment")).to_have_count(2)
    expect(history.locator(".payment").nth(1)).to_contain_text("Refund · -$15.00 · Cash")
    expect(page.locator("#history-summary")).to_contain_text("Paid $25.00 of $40.00")
    # what is left to refund of the payment is what the form offers next
    history.get_by_role("button", name="Refund").click()
    expect(page.locator("#refund-amount")).to_have_value("25.00")
    paid = payments_of(api, event_id, hana)
    assert [(p["amount_cents"], p["note"]) for p in paid] == [
        (4000, ""),
        (-1500, "Left before boarding"),
    ]
    page.locator("#refund-cancel").click()
    history.get_by_role("button", name="Close").click()
    # the event's money: what was taken, what went back, nothing unmatched
    page.locator("#manage-menu > summary").click()
    page.locator("#show-money").click()
    money = page.locator("#money-list")
    expect(money).to_contain_text("Taken")
    expect(money.locator("li", has_text="Taken")).to_contain_text("Cash: $40.00")
    expect(money.locator("li", has_text="Refunded")).to_contain_text("Cash: $15.00")
    expect(money.locator("li", has_text="Net")).to_contain_text("$25.00")
    expect(page.locator("#money-csv")).to_have_attribute(
        "href", f"/api/reconciliation.csv?event_id={event_id}"
    )
    page.locator("#money-dialog").get_by_role("button", name="Close").click()
    # the cash-up: 25.00 in the ledger (40 taken, 15 handed back), 20.00 counted
    page.locator("#show-cashup").click()
    row = page.locator("#cashup-list li", has_text="Cash")
    expect(row).to_contain_text("ledger $25.00 · not counted")
    row.get_by_label("Counted Cash for Ada Admin").fill("20.00")
    row.get_by_label("Note").fill("5 short")
    row.get_by_role("button", name="Save count").click()
    expect(page.locator("#cashup-list li", has_text="Cash")).to_contain_text("difference -$5.00")
    page.locator("#cashup-close").click()
    expect(page.locator("#cashup-status")).to_have_text("Closed by Ada Admin")
    expect(page.locator("#cashup-close")).to_be_hidden()
