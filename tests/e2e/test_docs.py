"""/docs renders the API's OpenAPI 3.1 schema in a real browser under the strict CSP."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def test_docs_render_every_operation_and_authorize_makes_write_calls_work(
    page: Page, live_server
) -> None:
    """One Swagger UI load (its script is most of the cost): every operation renders under
    the strict CSP, then a bearer token from the sign-in goes into Authorize and a write
    call made from the page lands."""
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text))
    page.goto(live_server.url + "/docs")
    expect(page.locator(".opblock").first).to_be_visible()
    operations = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/events/{event_id}/{patron_id}/payment" in operations
    assert len(operations) >= 30
    expect(page.locator(".info .title")).to_contain_text("ShipCaptainCrew")
    assert [m for m in messages if "Content Security Policy" in m] == []

    admin = live_server.login()
    token = admin.headers["Authorization"].removeprefix("Bearer ")
    # the server is shared with other browser tests: the call adds one event to theirs
    before = {e["id"] for e in admin.get("/api/events").json()["events"]}
    page.get_by_role("button", name="Authorize").first.click()
    page.locator(".auth-container input").fill(token)
    page.locator(".auth-btn-wrapper .authorize").click()
    page.locator(".auth-btn-wrapper").get_by_role("button", name="Close", exact=True).click()

    op = page.locator("#operations-events-create_event_api_events_post")
    op.locator(".opblock-summary").click()
    op.get_by_role("button", name="Try it out").click()
    op.locator("textarea.body-param__text").fill(
        '{"title": "From the docs", "starts_at": "2026-07-01T18:00:00-04:00", '
        '"price_cents": 4500, "currency": "USD"}'
    )
    op.get_by_role("button", name="Execute").click()
    expect(op.locator(".live-responses-table tbody .response-col_status").first).to_have_text("201")
    events = admin.get("/api/events").json()["events"]
    assert [e["title"] for e in events if e["id"] not in before] == ["From the docs"]
    assert [m for m in messages if "Content Security Policy" in m] == []
