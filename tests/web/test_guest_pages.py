"""Guest pages under /g/{token}: HTML, the e-waiver form post, errors as HTML pages."""

import io
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from shipcaptaincrew.domain.models import PaymentMethod, WaiverKind
from shipcaptaincrew.services import payments
from shipcaptaincrew.services import waiver_templates as templates
from shipcaptaincrew.services.payments import PaymentRequest
from shipcaptaincrew.web.app import create_app
from tests import factories as f
from tests import waiver_factories as w
from tests.web.conftest import both_backends, client_for


@pytest.fixture(params=["asgi", "lambda"])
def ctx(request, ctx):
    return both_backends(request, ctx)


@pytest.fixture
def setup(ctx, clock):
    admin = f.crew(ctx)
    template = templates.create_template(ctx, by=admin, name="Std", text=w.WAIVER_TEXT)
    event = f.event(ctx, admin, waiver_template_id=template.id, title="Sunset <Cruise>")
    booking = f.booking(ctx, admin, event.id, name="<script>alert(1)</script> Doe", party_size=2)
    app = create_app(ctx.settings, store=ctx.store, clock=clock)
    return client_for(app, ctx, follow_redirects=False), admin, template, event, booking


def _form(client, token: str) -> dict[str, str]:
    html = client.get(f"/g/{token}/waiver").text
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', html))
    return {
        "form_token": fields["form_token"],
        "template_id": fields["template_id"],
        "template_version": fields["template_version"],
        "template_sha256": fields["template_sha256"],
        "signer_name": "Pat Doe",
        "signature": w.png_data_url(),
        "agree": "on",
    }


def test_guest_page_shows_booking_escaped(setup, ctx) -> None:
    client, admin, _t, event, booking = setup
    payments.log_payment(
        ctx,
        by=admin,
        event_id=event.id,
        req=PaymentRequest(
            patron_id=booking.patron_id, amount_cents=5000, method=PaymentMethod.CASH
        ),
    )
    r = client.get(f"/g/{booking.guest_token}")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    html = r.text
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Doe" in html
    assert "<h1>Sunset &lt;Cruise&gt;</h1>" in html
    start = event.starts_at  # UTC in tests
    assert f"<dd>{start.strftime('%A %-d %B %Y')}</dd>" in html
    assert f"<dd>{start:%H:%M} to {start + timedelta(hours=2):%H:%M} (UTC)</dd>" in html
    assert "<dt>Party size</dt><dd>2</dd>" in html
    assert "<dt>Amount due</dt><dd>$90.00</dd>" in html
    assert "<dt>Paid</dt><dd>$50.00</dd>" in html
    assert "<dd>$40.00 to pay</dd>" in html
    assert "<span>$50.00</span>" in html and "Receipt no. 1" in html
    assert f'href="/g/{booking.guest_token}/waiver"' in html
    assert '<script src="/g/assets/waiver.js"' not in html
    assert "style=" not in html and "<script>" not in html
    assert client.get("/g/assets/waiver.js").status_code == 200
    assert client.get("/g/assets/guest.css").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/g/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "/g/x",
        "/g/AAAAAAAAAAAAAAAAAAAA/waiver",
        "/g/AAAAAAAAAAAAAAAAAAAA/waiver.pdf",
        "/g/AAAAAAAAAAAAAAAAAAAA/nope/deeper",
    ],
)
def test_wrong_token_is_a_plain_404_page(setup, path: str) -> None:
    client = setup[0]
    r = client.get(path)
    assert r.status_code == 404
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1>Page not found</h1>" in r.text


def test_sign_through_the_form(setup, ctx) -> None:
    client, _a, template, event, booking = setup
    token = booking.guest_token
    page = client.get(f"/g/{token}/waiver")
    assert page.status_code == 200
    assert '<script src="/g/assets/waiver.js" defer></script>' in page.text
    assert "I take part at my own risk.\nI will follow the crew&#39;s instructions." in page.text
    form = _form(client, token)
    assert form["template_sha256"] == template.sha256
    r = client.post(
        f"/g/{token}/waiver",
        data=form,
        headers={
            "origin": "http://testserver",
            "sec-fetch-site": "same-origin",
            "user-agent": "GuestBrowser/2.0",
        },
    )
    assert r.status_code == 303
    assert r.headers["location"] == f"/g/{token}?signed=1"
    # a party of two: one signature signs person 1; the booking's waiver waits for person 2
    stored = ctx.store.get_booking(event.id, booking.patron_id)
    assert (stored.waiver_kind, stored.waivers_signed) == (None, 1)
    assert (
        "Thank you: signed. 1 of 2 waivers are signed." in client.get(f"/g/{token}?signed=1").text
    )
    second = {**_form(client, token), "signer_name": "Kim Doe"}
    assert 'name="seat" value="2"' in client.get(f"/g/{token}/waiver").text
    r = client.post(
        f"/g/{token}/waiver",
        data={**second, "seat": "2"},
        headers={"origin": "http://testserver", "sec-fetch-site": "same-origin"},
    )
    assert (r.status_code, r.headers["location"]) == (303, f"/g/{token}?signed=1")
    stored = ctx.store.get_booking(event.id, booking.patron_id)
    assert (stored.waiver_kind, stored.waivers_signed) == (WaiverKind.ELECTRONIC, 2)
    assert [(s.no, s.name) for s in stored.seats] == [(1, "Pat Doe"), (2, "Kim Doe")]
    sig = ctx.store.get_waiver_signature(stored.waiver_signature_id)
    # The Function URL event carries the caller's address as requestContext.http.sourceIp.
    ip = "testclient" if isinstance(client, TestClient) else "203.0.113.7"
    assert (sig.signer_name, sig.ip, sig.user_agent, sig.guardian_name) == (
        "Pat Doe",
        ip,
        "GuestBrowser/2.0",
        None,
    )
    html = client.get(f"/g/{token}?signed=1").text
    assert "Thank you: your waiver is signed." in html
    assert "Waiver signed online by Pat Doe" in html
    pdf = client.get(f"/g/{token}/waiver.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert pdf.headers["content-disposition"] == 'attachment; filename="signed-waiver.pdf"'
    # a second post (double tap, back button) changes nothing
    again = client.post(f"/g/{token}/waiver", data={**form, "seat": "1"})
    assert (again.status_code, again.headers["location"]) == (303, f"/g/{token}")
    assert client.get(f"/g/{token}/waiver").status_code == 303
    assert len([a for a in ctx.store.list_audit() if a.action == "waiver.signed"]) == 2
    assert len(PdfReader(io.BytesIO(pdf.content)).pages) == 2


def test_minor_needs_guardian_and_keeps_typed_values(setup, ctx) -> None:
    client, _a, _t, event, booking = setup
    token = booking.guest_token
    form = {**_form(client, token), "minor": "on", "guardian_name": "Sam <b>Doe</b>"}
    r = client.post(f"/g/{token}/waiver", data=form)
    assert r.status_code == 400
    assert "Please type a name of 1 to 100 characters." in r.text
    assert 'value="Sam &lt;b&gt;Doe&lt;/b&gt;"' in r.text
    assert 'id="minor" checked' in r.text
    r = client.post(f"/g/{token}/waiver", data={**form, "guardian_relationship": "Mother"})
    assert r.status_code == 303
    b = ctx.store.get_booking(event.id, booking.patron_id)
    assert (b.seats[0].no, b.seats[0].minor, b.waivers_signed) == (1, True, 1)
    sig = ctx.store.get_waiver_signature(b.seats[0].signature_id)
    assert (sig.guardian_name, sig.guardian_relationship, sig.seat) == (
        "Sam <b>Doe</b>",
        "Mother",
        1,
    )


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"signature": "data:image/png;base64,!!!"}, 400, "The signature could not be read."),
        ({"signature": w.png_data_url(b"GIF89a")}, 400, "it is not a PNG image"),
        ({"signature": ""}, 400, "Please draw your signature in the box."),
        ({"agree": ""}, 400, "Please tick the box to confirm you agree."),
        ({"signer_name": ""}, 400, "Please type a name of 1 to 200 characters."),
        ({"template_sha256": "0" * 64}, 409, "The waiver text has changed"),
        ({"template_version": "x"}, 409, "The waiver text has changed"),
        ({"form_token": "123.abc"}, 403, "This page has expired."),
        ({"form_token": ""}, 403, "This page has expired."),
    ],
)
def test_bad_form_posts_are_html_errors(setup, ctx, change, status, message) -> None:
    client, _a, _t, event, booking = setup
    form = {**_form(client, booking.guest_token), **change}
    r = client.post(f"/g/{booking.guest_token}/waiver", data=form)
    assert r.status_code == status
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert message in r.text
    assert ctx.store.get_booking(event.id, booking.patron_id) == booking


@pytest.mark.parametrize(
    "headers",
    [{"origin": "https://evil.example"}, {"sec-fetch-site": "cross-site"}, {"origin": "null"}],
)
def test_cross_site_posts_are_refused(setup, ctx, headers) -> None:
    client, _a, _t, event, booking = setup
    form = _form(client, booking.guest_token)
    r = client.post(f"/g/{booking.guest_token}/waiver", data=form, headers=headers)
    assert r.status_code == 403
    assert "Please sign from the waiver page itself." in r.text
    assert ctx.store.get_booking(event.id, booking.patron_id) == booking


def test_non_form_bodies_are_refused(setup) -> None:
    client, *_rest, booking = setup
    r = client.post(f"/g/{booking.guest_token}/waiver", json={"signer_name": "x"})
    assert r.status_code == 400
    assert "Please send the form from the waiver page." in r.text
    r = client.post(
        f"/g/{booking.guest_token}/waiver",
        content=b"\xff\xfe",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 400


def test_event_without_template_and_paper_waiver(setup, ctx) -> None:
    client, admin, _t, _e, _b = setup
    plain = f.event(ctx, admin)
    booking = f.booking(ctx, admin, plain.id)
    assert "This event has no online waiver." in client.get(f"/g/{booking.guest_token}").text
    r = client.get(f"/g/{booking.guest_token}/waiver")
    assert r.status_code == 404
    assert "no online waiver" in r.text
    assert client.get(f"/g/{booking.guest_token}/waiver.pdf").status_code == 404


def test_form_token_expires_after_12_hours(setup, ctx, clock) -> None:
    client, _a, _t, event, booking = setup
    form = _form(client, booking.guest_token)
    clock.advance(hours=12, seconds=1)
    r = client.post(f"/g/{booking.guest_token}/waiver", data=form)
    assert r.status_code == 403
    assert "This page has expired. Please reload it and sign again." in r.text
    clock.advance(seconds=-2)
    r = client.post(f"/g/{booking.guest_token}/waiver", data=form)
    assert r.status_code == 303


def test_guest_downloads_own_receipts_only(setup, ctx) -> None:
    from io import BytesIO

    from pypdf import PdfReader

    client, admin, _t, event, booking = setup
    other = f.booking(ctx, admin, event.id, name="Other Guest")
    mine = payments.log_payment(
        ctx,
        by=admin,
        event_id=event.id,
        req=PaymentRequest(
            patron_id=booking.patron_id, amount_cents=5000, method=PaymentMethod.CASH
        ),
    ).payment
    theirs = payments.log_payment(
        ctx,
        by=admin,
        event_id=event.id,
        req=PaymentRequest(patron_id=other.patron_id, amount_cents=4500, method=PaymentMethod.CARD),
    ).payment
    page = client.get(f"/g/{booking.guest_token}").text
    link = f"/g/{booking.guest_token}/receipts/{mine.id}.pdf"
    assert f'href="{link}"' in page
    r = client.get(link)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(r.content)).pages)
    assert f"{mine.receipt_no}" in text
    assert "$50.00" in text
    stolen = client.get(f"/g/{booking.guest_token}/receipts/{theirs.id}.pdf")
    assert stolen.status_code == 404
    assert stolen.headers["content-type"].startswith("text/html")
    assert client.get(f"/g/not-a-token/receipts/{mine.id}.pdf").status_code == 404


@pytest.mark.parametrize(
    "trust,forwarded,expected",
    [
        ("1", "6.6.6.6, 198.51.100.9", "198.51.100.9"),  # the hop our proxy appended
        ("1", "", "10.0.0.2"),
        ("", "6.6.6.6, 198.51.100.9", "10.0.0.2"),  # not behind a proxy: ignored
    ],
)
def test_client_ip_trusts_only_the_proxy_hop(tmp_path, trust, forwarded, expected) -> None:
    from starlette.requests import Request

    from shipcaptaincrew.services.context import Context
    from shipcaptaincrew.web.deps import client_ip
    from tests.conftest import make_settings

    settings = make_settings(tmp_path, SCC_TRUST_PROXY=trust)
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    request = Request({"type": "http", "headers": headers, "client": ("10.0.0.2", 5000)})
    assert client_ip(Context(store=None, settings=settings), request) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "sent_secret,expected",
    [("origin-secret-1234", "198.51.100.23"), ("wrong", "10.0.0.2"), ("", "10.0.0.2")],
)
def test_client_ip_from_cloudfront_only_with_the_origin_secret(
    tmp_path, sent_secret, expected
) -> None:
    from starlette.requests import Request

    from shipcaptaincrew.services.context import Context
    from shipcaptaincrew.web.deps import client_ip
    from tests.conftest import make_settings

    settings = make_settings(tmp_path, SCC_ORIGIN_SECRET="origin-secret-1234")
    headers = [(b"x-viewer-address", b"198.51.100.23"), (b"x-origin-verify", sent_secret.encode())]
    request = Request({"type": "http", "headers": headers, "client": ("10.0.0.2", 5000)})
    assert client_ip(Context(store=None, settings=settings), request) == expected  # type: ignore[arg-type]


def test_waiver_text_reflows_into_paragraphs(setup, ctx) -> None:
    client, admin, template, event, booking = setup
    text = "Line one of a hard-wrapped\nparagraph <b>here</b>.\n\nSecond paragraph."
    templates.edit_template(ctx, by=admin, template_id=template.id, text=text)
    html = client.get(f"/g/{booking.guest_token}/waiver").text
    [shown] = re.findall(r'<div class="waiver-text">(.*?)</div>', html, re.S)
    assert shown == (
        "<p>Line one of a hard-wrapped\nparagraph &lt;b&gt;here&lt;/b&gt;.</p>"
        "<p>Second paragraph.</p>"
    )
