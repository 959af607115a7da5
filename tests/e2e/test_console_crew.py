"""The crew screen (admins and captains) and My account in the console: reset a password
and see the member choose a new one first; deactivate, sessions, sign out everywhere."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

NEW_PASSWORD = "lantern-tide-harbour-9"  # noqa: S105


def _add_member(api, email: str, name: str) -> dict:
    body = {"name": name, "email": email, "role": "crew", "password": "correct-horse-battery"}
    r = api.post("/api/crew", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def test_reset_password_then_the_member_must_choose_a_new_one(page, second_phone, live_server, api):
    _add_member(api, "rosa.deck@example.org", "Rosa Deck")
    sign_in(page, live_server)
    page.get_by_role("button", name="Crew", exact=True).click()
    dialog = page.locator("#crew-dialog")
    dialog.get_by_role("button", name="Reset password for Rosa Deck").click()
    status = dialog.locator("#crew-status")
    expect(status).to_contain_text("Temporary password for Rosa Deck: ")
    temporary = re.search(r": (\S+) \(shown once", status.inner_text()).group(1)
    expect(dialog.locator("li[data-crew]", has_text="Rosa Deck")).to_contain_text(
        "must choose a new password"
    )

    member = second_phone
    member.goto(f"{live_server.url}/")
    form = member.locator("#login-form")
    form.get_by_label("Email").fill("rosa.deck@example.org")
    form.get_by_label("Password").fill(temporary)
    form.get_by_role("button", name="Sign in").click()
    account = member.locator("#account-dialog")
    expect(account).to_be_visible()
    expect(account.locator("#password-forced")).to_be_visible()
    expect(member.locator("#events-view")).to_be_hidden()
    account.get_by_label("Current password").fill(temporary)
    account.get_by_label("New password (12 characters or more, not a common one)").fill(
        "password1234"
    )
    account.get_by_role("button", name="Change password").click()
    expect(account.locator("#password-error")).to_contain_text("too common")
    account.get_by_label("New password (12 characters or more, not a common one)").fill(
        NEW_PASSWORD
    )
    account.get_by_role("button", name="Change password").click()
    expect(account).to_be_hidden()
    expect(member.locator("#events-view")).to_be_visible()


def test_deactivate_sessions_and_sign_out_everywhere(page, live_server, api):
    created = _add_member(api, "finn.deck@example.org", "Finn Deck")
    other = live_server.login("finn.deck@example.org", "correct-horse-battery")
    assert other.get("/api/me").status_code == 200
    sign_in(page, live_server)
    page.get_by_role("button", name="Crew", exact=True).click()
    dialog = page.locator("#crew-dialog")
    dialog.get_by_role("button", name="Sessions of Finn Deck").click()
    sessions = dialog.get_by_role("list", name="Sessions of Finn Deck")
    expect(sessions.locator("li")).to_have_count(1)
    expect(sessions).to_contain_text("from 127.0.0.1")
    sessions.get_by_role("button", name="End session").click()
    expect(dialog.locator("#crew-status")).to_have_text("Session of Finn Deck ended.")
    assert other.get("/api/me").status_code == 401
    dialog.get_by_role("button", name="Deactivate Finn Deck").click()
    expect(dialog.locator("#crew-status")).to_have_text(
        "Finn Deck is deactivated; their sessions ended."
    )
    assert (
        api.get("/api/crew").json()["crew"][
            [c["id"] for c in api.get("/api/crew").json()["crew"]].index(created["id"])
        ]["active"]
        is False
    )
    dialog.get_by_role("button", name="Reactivate Finn Deck").click()
    expect(dialog.get_by_role("button", name="Deactivate Finn Deck")).to_be_visible()
    for button in dialog.get_by_role("button").all():
        assert button.bounding_box()["height"] >= 44
    dialog.get_by_role("button", name="Close").click()
    other.close()

    # Finn signs in on this phone and on another, then signs out everywhere from here.
    page.get_by_role("button", name="Sign out").click()
    form = page.locator("#login-form")
    form.get_by_label("Email").fill("finn.deck@example.org")
    form.get_by_label("Password").fill("correct-horse-battery")
    form.get_by_role("button", name="Sign in").click()
    expect(page.locator("#who-name")).to_have_text("Finn Deck")
    expect(page.get_by_role("button", name="Crew", exact=True)).to_be_hidden()
    other = live_server.login("finn.deck@example.org", "correct-horse-battery")
    page.get_by_role("button", name="My account").click()
    page.locator("#account-dialog").get_by_role("button", name="Sign out everywhere").click()
    expect(page.locator("#login-view")).to_be_visible()
    assert other.get("/api/me").status_code == 401
    other.close()
