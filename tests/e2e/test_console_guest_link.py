"""The guest link from a roster card: "Send link" (once a minute) and the QR code dialog."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import card, seed_event, sign_in


def test_send_link_once_a_minute_and_show_the_qr_code(page, live_server, api):
    seeded = seed_event(api, ["Σωκράτης Παπαδόπουλος"])
    event, patron = seeded["event"], seeded["ids"]["Σωκράτης Παπαδόπουλος"]
    sign_in(page, live_server, f"#/events/{event['id']}")
    row = card(page, patron)
    row.get_by_role("button", name="Send link").click()
    expect(page.locator("#toast-text")).to_contain_text("Guest link emailed to")
    row.get_by_role("button", name="Send link").click()
    expect(page.locator("#error-text")).to_contain_text(
        "The guest link was just sent; it can be sent again at"
    )

    row.get_by_role("button", name="QR code").click()
    dialog = page.locator("#qr-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#qr-patron")).to_have_text("Σωκράτης Παπαδόπουλος")
    img = dialog.get_by_role("img", name="QR code of Σωκράτης Παπαδόπουλος's guest link")
    expect(img).to_be_visible()
    expect(img).to_have_js_property("complete", True)
    assert img.evaluate("el => el.naturalWidth") > 0  # the server's SVG loaded
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#qr-box img")).to_have_count(0)
