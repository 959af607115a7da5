"""The dispatch console in a real browser: sign-in, roster cards, check-in with undo,
paper waivers, search and filters, hostile names, accessibility and screenshots."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import card, run_axe, screenshot, seed_event, sign_in
from tests.server import ADMIN_EMAIL

HOSTILE = "<img src=x onerror=alert(1)><script>alert(2)</script>"


def open_event(page: Page, live_server, event: dict) -> None:
    sign_in(page, live_server, f"#/events/{event['id']}")
    expect(page.locator("#roster-title")).to_have_text(event["title"])


def booking(api, event_id: str, patron_id: str) -> dict:
    r = api.get(f"/api/events/{event_id}/roster")
    assert r.status_code == 200
    [b] = [b for b in r.json()["roster"] if b["patron_id"] == patron_id]
    return b


def test_sign_in_shows_crew_and_role_survives_reload_and_signs_out(page, live_server, api):
    title = seed_event(api, ["Ava Okafor"])["event"]["title"]
    page.goto(live_server.url + "/")
    form = page.locator("#login-form")
    form.get_by_label("Email").fill(ADMIN_EMAIL)
    form.get_by_label("Password").fill("wrong password")
    form.get_by_role("button", name="Sign in").click()
    expect(page.locator("#login-error")).to_have_text("Wrong email or password. Try again.")
    expect(form.get_by_label("Email")).to_have_value(ADMIN_EMAIL)

    sign_in(page, live_server)
    expect(page.locator("#who-role")).to_have_text("Admin")
    item = page.locator("#events-list li").filter(has_text=title)
    expect(item.locator(".event-title")).to_have_text(title)
    expect(item.locator(".event-counts")).to_contain_text("Booked1")
    expect(item.locator(".event-counts")).to_contain_text("Collected$0.00 of $40.00")

    page.reload()
    expect(page.locator("#who-name")).to_have_text("Ada Admin")
    expect(page.locator("#events-view")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("#login-view")).to_be_visible()
    expect(page.locator("#who")).to_be_hidden()
    page.reload()
    expect(page.locator("#login-view")).to_be_visible()


def test_check_in_undo_paper_waiver_and_ready_to_board(page, live_server, api):
    seeded = seed_event(api, ["Hiro Kowalski"])
    event_id, hiro = seeded["event"]["id"], seeded["ids"]["Hiro Kowalski"]
    r = api.post(
        f"/api/events/{event_id}/{hiro}/payment", json={"amount_cents": 4000, "method": "card"}
    )
    assert r.status_code == 201
    open_event(page, live_server, seeded["event"])
    hiro_card = card(page, hiro)
    # Paid, but no waiver yet: the boarding gate says so.
    hiro_card.get_by_role("button", name="Checked in").click()
    expect(page.locator("#gate-missing li")).to_have_text(["Waiver: not signed"])
    page.locator("#gate-dialog").get_by_role("button", name="Cancel").click()
    assert booking(api, event_id, hiro)["checked_in"] is False

    hiro_card.get_by_role("button", name="Paper waiver").click()
    expect(page.locator("#waiver-patron")).to_have_text("Hiro Kowalski")
    page.locator("#waiver-submit").click()
    expect(page.locator("#waiver-dialog")).to_be_hidden()
    expect(hiro_card.locator(".badge", has_text="Paper waiver")).to_have_count(1)
    assert booking(api, event_id, hiro)["waiver_kind"] == "paper"

    toggle = hiro_card.get_by_role("button", name="Checked in")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    expect(hiro_card.get_by_role("button", name="Checked in")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator("#toast-text")).to_have_text("Hiro Kowalski checked in.")
    expect(page.locator("#total-checked-in")).to_have_text("1 of 1")
    assert booking(api, event_id, hiro)["checked_in"] is True

    page.locator("#toast-undo").click()
    expect(hiro_card.get_by_role("button", name="Checked in")).to_have_attribute(
        "aria-pressed", "false"
    )
    expect(page.locator("#toast-text")).to_have_text("Undone: Hiro Kowalski is not checked in.")
    expect(page.locator("#total-checked-in")).to_have_text("0 of 1")
    assert booking(api, event_id, hiro)["checked_in"] is False

    hiro_card.get_by_role("button", name="Checked in").click()
    expect(hiro_card.locator(".badge-ready")).to_have_text("Ready to board")
    expect(page.locator("#total-ready")).to_have_text("1 of 1")


def test_search_and_filters(page, live_server, api):
    names = ["Isla Haddad", "Jonah Fraser", "Kemi Mbeki"]
    seeded = seed_event(api, names)
    event_id, ids = seeded["event"]["id"], seeded["ids"]
    api.post(
        f"/api/events/{event_id}/{ids['Isla Haddad']}/payment",
        json={"amount_cents": 4000, "method": "cash"},
    )
    api.post(f"/api/events/{event_id}/{ids['Jonah Fraser']}/waiver", json={"kind": "paper"})
    api.post(f"/api/events/{event_id}/{ids['Kemi Mbeki']}/attendance", json={"checked_in": True})
    open_event(page, live_server, seeded["event"])
    visible = page.locator("#roster-list > li:visible .card-name")
    expect(visible).to_have_text(names)
    expect(page.locator("#roster-count")).to_have_text("3 on the roster")

    page.get_by_label("Search by name").fill("fra")
    expect(visible).to_have_text(["Jonah Fraser"])
    expect(page.locator("#roster-count")).to_have_text("Showing 1 of 3")
    page.get_by_label("Search by name").fill("")
    page.get_by_label("Unpaid").check()
    expect(visible).to_have_text(["Jonah Fraser", "Kemi Mbeki"])
    page.get_by_label("No waiver").check()
    expect(visible).to_have_text(["Kemi Mbeki"])
    page.get_by_label("Not checked in").check()
    expect(visible).to_have_count(0)
    page.get_by_label("Unpaid").uncheck()
    page.get_by_label("No waiver").uncheck()
    expect(visible).to_have_text(["Isla Haddad", "Jonah Fraser"])


def test_hostile_patron_name_is_text_everywhere(page, live_server, api):
    seeded = seed_event(api, [HOSTILE, "Liam Larsen"])
    bad = seeded["ids"][HOSTILE]
    open_event(page, live_server, seeded["event"])
    bad_card = card(page, bad)
    expect(bad_card.locator(".card-name")).to_have_text(HOSTILE)
    expect(bad_card.locator(".card-name")).to_be_visible()

    bad_card.get_by_role("button", name="Log payment").click()
    expect(page.locator("#pay-patron")).to_have_text(HOSTILE)
    page.locator("#pay-submit").click()
    expect(page.locator("#toast-text")).to_have_text(f"$40.00 Cash logged for {HOSTILE}.")
    bad_card.get_by_role("button", name="Payments").click()
    expect(page.locator("#history-title")).to_have_text(f"Payments · {HOSTILE}")
    page.locator("#history-dialog").get_by_role("button", name="Close").click()
    page.locator("#manage-menu > summary").click()
    page.get_by_role("button", name="Activity log").click()
    expect(page.locator("#audit-list")).to_contain_text(HOSTILE)
    page.locator("#audit-dialog").get_by_role("button", name="Close").click()
    card(page, seeded["ids"]["Liam Larsen"]).get_by_role("checkbox").check()

    assert page.locator("img").count() == 0
    assert page.locator("body script").count() == 0
    assert page.dialogs == []


def test_roster_and_payment_modal_have_no_serious_axe_violations(axe_page, live_server, api):
    page = axe_page
    seeded = seed_event(api, ["Maya Okafor", "Noah Patel", "Olivia Moreau"])
    event_id, ids = seeded["event"]["id"], seeded["ids"]
    api.post(
        f"/api/events/{event_id}/{ids['Noah Patel']}/payment",
        json={"amount_cents": 1000, "method": "cash"},
    )
    open_event(page, live_server, seeded["event"])
    screenshot(page, "roster")
    assert run_axe(page) == []

    card(page, ids["Maya Okafor"]).get_by_role("button", name="Log payment").click()
    expect(page.locator("#pay-dialog")).to_be_visible()
    screenshot(page, "payment-modal")
    assert run_axe(page, "#pay-dialog") == []
    assert run_axe(page) == []


def test_crew_role_sees_no_manager_controls(page, live_server, api):
    seeded = seed_event(api, ["Priya Silva"])
    r = api.post(
        "/api/crew",
        json={
            "name": "Quinn Deckhand",
            "email": "quinn@example.org",
            "role": "crew",
            "password": "deckhand-password-1",
        },
    )
    assert r.status_code == 201
    page.goto(f"{live_server.url}/#/events/{seeded['event']['id']}")
    form = page.locator("#login-form")
    form.get_by_label("Email").fill("quinn@example.org")
    form.get_by_label("Password").fill("deckhand-password-1")
    form.get_by_role("button", name="Sign in").click()
    expect(page.locator("#who-role")).to_have_text("Crew")
    expect(page.locator("#roster-title")).to_have_text(seeded["event"]["title"])
    expect(page.get_by_role("button", name="Edit event")).to_be_hidden()
    expect(page.get_by_role("button", name="Activity log")).to_be_hidden()
    card(page, seeded["ids"]["Priya Silva"]).get_by_role("button", name="Log payment").click()
    page.locator("#pay-submit").click()
    card(page, seeded["ids"]["Priya Silva"]).get_by_role("button", name="Payments").click()
    expect(page.locator("#history-list .payment")).to_have_count(1)
    expect(page.locator("#history-dialog").get_by_role("button", name="Void")).to_have_count(0)


def test_waitlisted_patron_is_booked_from_the_card_when_a_place_frees(page, live_server, api):
    seeded = seed_event(api, ["Ava Okafor"])
    event_id, ava = seeded["event"]["id"], seeded["ids"]["Ava Okafor"]
    assert api.patch(f"/api/events/{event_id}", json={"capacity": 1}).status_code == 200
    r = api.post(
        f"/api/events/{event_id}/roster",
        json={"name": "Ben Silva", "email": f"ben.{event_id}@example.org"},
    )
    assert r.json()["status"] == "waitlisted"
    ben = r.json()["patron_id"]
    open_event(page, live_server, seeded["event"])
    ben_card = card(page, ben)
    expect(ben_card.locator(".badge", has_text="waitlisted")).to_have_count(1)
    button = ben_card.get_by_role("button", name="Book from waitlist")
    button.click()
    expect(page.locator("#error-text")).to_contain_text(
        "There is no room on the event for this party."
    )
    assert booking(api, event_id, ben)["status"] == "waitlisted"

    cancel = api.post(f"/api/events/{event_id}/{ava}/cancel", json={"reason": "ill"})
    assert cancel.status_code == 200
    ben_card.get_by_role("button", name="Book from waitlist").click()
    expect(page.locator("#toast-text")).to_have_text("Ben Silva is booked (was on the waitlist).")
    expect(ben_card.locator(".badge", has_text="waitlisted")).to_have_count(0)
    expect(ben_card.get_by_role("button", name="Book from waitlist")).to_have_count(0)
    assert booking(api, event_id, ben)["status"] == "booked"


def test_a_card_drawn_again_keeps_the_focus_on_its_button(page, live_server, api):
    """Keyboard and screen-reader users: checking a patron in from the keyboard draws their
    card again, and the focus stays on its check-in button (not thrown back to the top of
    a 500-card page); a change made on another phone, or by a tap, does the same for the
    button focused. A button whose action is on its way takes no second tap."""
    seeded = seed_event(api, ["Lea Novak"], price_cents=0)
    event_id, lea = seeded["event"]["id"], seeded["ids"]["Lea Novak"]
    r = api.post(f"/api/events/{event_id}/{lea}/waiver", json={"kind": "paper"})
    assert r.status_code == 200, r.text
    open_event(page, live_server, seeded["event"])
    row = card(page, lea)

    toggle = row.get_by_role("button", name="Checked in")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(row.get_by_role("button", name="Checked in")).to_have_attribute("aria-pressed", "true")
    expect(row.get_by_role("button", name="Checked in")).to_be_focused()

    row.get_by_role("button", name="Payments").focus()
    r = api.post(f"/api/events/{event_id}/{lea}/attendance", json={"checked_in": False})
    assert r.status_code == 200, r.text
    expect(row.get_by_role("button", name="Checked in")).to_have_attribute("aria-pressed", "false")
    expect(row.get_by_role("button", name="Payments")).to_be_focused()

    # Busy, the button keeps the focus but takes no second tap: two taps in one go are one
    # change (before, a disabled button did the same and lost the focus).
    toggle = row.get_by_role("button", name="Checked in")
    busy_at_second_tap = toggle.evaluate(
        "b => { b.click(); const busy = b.getAttribute('aria-disabled'); b.click(); return busy; }"
    )
    assert busy_at_second_tap == "true"
    expect(page.locator("#toast-text")).to_have_text("Lea Novak checked in.")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(row.get_by_role("button", name="Payments")).to_be_focused()  # where it was
    assert booking(api, event_id, lea)["checked_in"] is True
