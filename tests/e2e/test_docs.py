"""/docs renders the API's OpenAPI 3.1 schema in a real browser under the strict CSP."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def test_docs_render_every_operation_without_csp_violations(page: Page, live_server) -> None:
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text))
    page.goto(live_server.url + "/docs")
    expect(page.locator(".opblock").first).to_be_visible()
    operations = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/events/{event_id}/{patron_id}/payment" in operations
    assert len(operations) >= 30
    expect(page.locator(".info .title")).to_contain_text("ShipCaptainCrew")
    assert [m for m in messages if "Content Security Policy" in m] == []
