"""Admins and captains in the console: create and edit events, add patrons, import a
CSV, choose the waiver template, read the activity log, cancel or move a departure, rebook
a party and give credit."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import seed_event, sign_in

CSV = (
    "name,email,phone,party_size\n"
    "Rosa Fraser,rosa@example.org,555-0101,2\n"
    ",nobody@example.org,,1\n"
    '"Sam ""Skipper"" Haddad",sam@example.org,,1\n'
    "Tariq Larsen,tariq@example.org,,lots\n"
    "Uma Okafor,not-an-email-at-all-but-long,,1\n"
)


def test_create_event_add_patron_and_import_csv(page, live_server, api):
    created = api.post("/api/waiver-templates", json={"name": "Boat trip", "text": "I agree."})
    template_id = created.json()["id"] if created.status_code == 201 else None
    sign_in(page, live_server)
    page.get_by_role("button", name="New event").click()
    dialog = page.locator("#event-dialog")
    dialog.get_by_label("Title").fill("Whale watch")
    dialog.get_by_label("Starts").fill("2030-08-02T09:30")
    dialog.get_by_label("Place", exact=True).fill("North quay")
    dialog.get_by_label("Price per place").fill("55.50")
    dialog.get_by_label("Currency").fill("usd")
    templates = api.get("/api/waiver-templates")
    field = page.locator("#ev-template-field")
    if templates.status_code == 404:
        expect(field).to_be_hidden()
    else:
        expect(field).to_be_visible()
        expect(field.locator("option")).to_have_count(len(templates.json()["templates"]) + 1)
        dialog.get_by_label("Waiver template").select_option(template_id)
    dialog.get_by_role("button", name="Save event").click()

    expect(page.locator("#roster-title")).to_have_text("Whale watch")
    [event] = [e for e in api.get("/api/events").json()["events"] if e["title"] == "Whale watch"]
    assert (event["price_cents"], event["currency"], event["location"]) == (
        5550,
        "USD",
        "North quay",
    )
    expect(page).to_have_url(f"{live_server.url}/#/events/{event['id']}")
    assert event.get("waiver_template_id") == template_id

    page.locator("#manage-menu > summary").click()
    page.get_by_role("button", name="Add patron").click()
    form = page.locator("#patron-form")
    form.get_by_label("Name").fill("Quinn Moreau")
    form.get_by_label("Email").fill("quinn@example.org")
    form.get_by_label("Party size").fill("3")
    form.get_by_role("button", name="Add to roster").click()
    expect(page.locator("#roster-list .card-name")).to_have_text(["Quinn Moreau"])
    expect(page.locator("#total-booked")).to_have_text("1 (3 places)")

    page.locator("#manage-menu > summary").click()
    page.get_by_role("button", name="Import CSV").click()
    expect(page.locator("#import-dialog")).to_be_visible()
    page.locator("#import-file").set_input_files(
        files=[{"name": "patrons.csv", "mimeType": "text/csv", "buffer": CSV.encode()}]
    )
    page.locator("#import-submit").click()
    report = page.locator("#import-report")
    expect(report.locator(".import-summary")).to_have_text("2 accepted, 3 rejected.")
    expect(report.locator("ul").first.locator("li")).to_have_text(
        ["Line 2: Rosa Fraser", 'Line 4: Sam "Skipper" Haddad']
    )
    rejected = report.locator(".rejected li")
    expect(rejected.nth(0)).to_have_text("Line 3: name is empty")
    expect(rejected.nth(1)).to_have_text("Line 5: party size “lots” is not a whole number")
    expect(rejected.nth(2)).to_contain_text("Line 6: ")
    page.locator("#import-dialog").get_by_role("button", name="Close").click()
    expect(page.locator("#roster-count")).to_have_text("3 on the roster")
    roster = api.get(f"/api/events/{event['id']}/roster").json()["roster"]
    assert sorted((b["name"], b["party_size"]) for b in roster) == [
        ("Quinn Moreau", 3),
        ("Rosa Fraser", 2),
        ('Sam "Skipper" Haddad', 1),
    ]


def test_edit_event_and_read_activity_log(page, live_server, api):
    seeded = seed_event(api, ["Vera Nakamura"])
    event_id, title = seeded["event"]["id"], seeded["event"]["title"]
    sign_in(page, live_server, f"#/events/{event_id}")
    page.locator("#manage-menu > summary").click()
    page.get_by_role("button", name="Edit event").click()
    dialog = page.locator("#event-dialog")
    expect(dialog.get_by_label("Title")).to_have_value(title)
    expect(dialog.get_by_label("Price per place")).to_have_value("40.00")
    dialog.get_by_label("Title").fill(f"{title} (late)")
    dialog.get_by_label("Place", exact=True).fill("Pier 4")
    dialog.get_by_role("button", name="Save event").click()
    expect(page.locator("#roster-title")).to_have_text(f"{title} (late)")
    expect(page.locator("#roster-when")).to_contain_text("Pier 4")
    r = api.get(f"/api/events/{event_id}")
    assert (r.json()["title"], r.json()["location"]) == (f"{title} (late)", "Pier 4")

    page.locator("#manage-menu > summary").click()
    page.get_by_role("button", name="Activity log").click()
    entries = page.locator("#audit-list li")
    expect(entries.first).to_contain_text("Ada Admin")
    actions = [e["action"] for e in api.get(f"/api/audit?event_id={event_id}").json()["entries"]]
    expect(entries).to_have_count(len(actions))


def test_cancel_a_departure_with_a_plan_per_party(page, live_server, api):
    seeded = seed_event(api, ["Wren Adler", "Xavi Bell"])
    event_id = seeded["event"]["id"]
    paid = {"amount_cents": 4000, "method": "cash"}
    assert (
        api.post(
            f"/api/events/{event_id}/{seeded['ids']['Wren Adler']}/payment", json=paid
        ).status_code
        == 201
    )
    sign_in(page, live_server, f"#/events/{event_id}")
    page.locator("#manage-menu > summary").click()
    page.get_by_role("button", name="Cancel departure").click()
    dialog = page.locator("#weather-dialog")
    expect(dialog.locator("#weather-list li")).to_have_count(2)
    expect(dialog.locator("#weather-list li").first).to_contain_text("paid $40.00")
    dialog.get_by_label("What happens to Wren Adler").select_option("credit")
    dialog.get_by_label("What happens to Xavi Bell").select_option("refund")
    dialog.get_by_label("Reason").fill("Gale warning")
    dialog.get_by_label("Message to patrons").fill("Sorry, see you soon.")
    dialog.get_by_role("button", name="Cancel departure and tell everyone").click()
    expect(dialog.locator("#weather-status")).to_have_text("Every party is settled.")
    expect(dialog.locator("#weather-list li")).to_have_text(
        ["Wren Adler · credit · done", "Xavi Bell · refund · done"]
    )
    expect(dialog.locator("#weather-pdf")).to_be_visible()
    [plan] = api.get(f"/api/events/{event_id}/settlements").json()["plans"]
    assert [(s["action"], s["state"]) for s in plan["steps"]] == [
        ("credit", "done"),
        ("refund", "done"),
    ]
    assert plan["steps"][0]["outcome"]["credited"] == 4000


def test_move_a_departure_then_rebook_one_party(page, live_server, api):
    seeded = seed_event(api, ["Yara Cole", "Zeno Dunn"])
    event_id = seeded["event"]["id"]
    later = api.post(
        "/api/events",
        json={
            "title": "Dawn run for Zeno",
            # Years after the departures other tests on this server seed (2030): the
            # nearest in time to the moved one, so among the options the dialog lists.
            "starts_at": "2041-08-15T06:00:00+00:00",
            "price_cents": 4000,
            "currency": "USD",
        },
    ).json()
    sign_in(page, live_server, f"#/events/{event_id}")
    page.locator("#manage-menu > summary").click()
    page.get_by_role("button", name="Move departure").click()
    dialog = page.locator("#shift-dialog")
    dialog.get_by_label("New start").fill("2041-07-02T10:00")
    dialog.get_by_label("Reason").fill("Fog until noon")
    dialog.get_by_role("button", name="Move departure and tell everyone").click()
    expect(dialog.locator("#shift-status")).to_contain_text("2 of 2 parties told.")
    [shift] = api.get(f"/api/events/{event_id}/settlements").json()["plans"]
    assert (shift["kind"], [s["state"] for s in shift["steps"]]) == ("shift", ["done", "done"])
    assert api.get(f"/api/events/{event_id}").json()["starts_at"] == shift["new_starts_at"]
    dialog.get_by_role("button", name="Close").click()
    zeno = seeded["ids"]["Zeno Dunn"]
    page.locator(f'li[data-patron="{zeno}"]').get_by_role("button", name="Rebook").click()
    rebook = page.locator("#rebook-dialog")
    rebook.get_by_label("Departure", exact=True).select_option(later["id"])
    rebook.get_by_label("Reason").fill("Asked for another day")
    rebook.get_by_role("button", name="Rebook and tell the patron").click()
    expect(rebook.locator("#rebook-status")).to_have_text(
        "Zeno Dunn moved to Dawn run for Zeno; they are told by email."
    )
    expect(page.locator(f'li[data-patron="{zeno}"] .badges')).to_contain_text("cancelled")
    moved = api.get(f"/api/events/{later['id']}/roster").json()["roster"]
    assert [p["name"] for p in moved] == ["Zeno Dunn"]
    rebook.get_by_role("button", name="Close").click()
    yara = page.locator(f'li[data-patron="{seeded["ids"]["Yara Cole"]}"]')
    yara.get_by_role("button", name="Payments").click()
    history = page.locator("#history-dialog")
    history.get_by_role("button", name="Give credit").click()
    history.get_by_label("Amount", exact=True).fill("12.50")
    history.locator("#credit-form").get_by_label("Reason (required)").fill("Waited out the fog")
    history.locator("#credit-form").get_by_role("button", name="Give credit").click()
    expect(history.locator("#history-summary")).to_contain_text("credit $12.50")
    expect(yara.locator(".badges")).to_contain_text("Credit $12.50")
