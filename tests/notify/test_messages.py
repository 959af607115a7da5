"""Payment emails: both parts, the PDF, escaping of what patrons typed."""

from __future__ import annotations

import io

import pypdf

from tests.notify.samples import composed


def _parts(msg):
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    [pdf] = list(msg.iter_attachments())
    return text, html, pdf


def test_receipt_email_has_text_html_and_the_pdf() -> None:
    msg = composed()
    assert msg["Subject"] == "Payment received: receipt 7 for Sunset Cruise"
    assert msg["From"] == "Harbour Co <boats@harbour.example>"
    assert msg["To"] == "Zoë O'Brien <zoe@example.com>"
    assert msg["Reply-To"] == "Harbour Office <office@harbour.example>"
    assert msg["Message-ID"] == "<msg_0123456789abcdef@harbour.example>"
    text, html, pdf = _parts(msg)
    assert "Hello Zoë O'Brien," in text
    assert "Harbour Co. received your payment for Sunset Cruise on Wednesday 01 July 2026" in text
    assert "Amount:     $45.00" in text
    assert "Method:     card (T-1001)" in text
    assert "You are all paid up." in text
    assert "https://boats.example/g/tok123" in text
    assert "write to office@harbour.example" in text
    assert "<p>Hello Zoë O&#39;Brien,</p>" in html
    assert '<a href="https://boats.example/g/tok123">' in html
    assert pdf.get_filename() == "receipt-7.pdf"
    assert pdf.get_content_type() == "application/pdf"
    page = pypdf.PdfReader(io.BytesIO(pdf.get_content())).pages[0].extract_text()
    assert "Receipt no. 7" in page
    assert "Zoë O'Brien" in page


def test_patron_text_with_markup_arrives_as_text() -> None:
    name = '<script>alert("x")</script> <b>Bo</b>'
    msg = composed(patron_name=name, event_title="Cruise & <i>Dine</i>")
    text, html, _pdf = _parts(msg)
    assert f"Hello {name}," in text
    assert "<script>" not in html
    assert "<b>Bo</b>" not in html
    assert "Hello &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &lt;b&gt;Bo&lt;/b&gt;," in html
    assert "<strong>Cruise &amp; &lt;i&gt;Dine&lt;/i&gt;</strong>" in html


def test_line_breaks_in_names_cannot_add_headers() -> None:
    msg = composed(patron_name="Eve\r\nBcc: all@example.com", event_title="Trip\nX-Evil: 1")
    assert msg["Bcc"] is None
    assert msg["X-Evil"] is None
    assert msg["To"] == '"Eve Bcc: all@example.com" <zoe@example.com>'
    assert msg["Subject"] == "Payment received: receipt 7 for Trip X-Evil: 1"


def test_correction_email_for_a_voided_payment() -> None:
    import dataclasses
    from datetime import UTC, datetime

    from shipcaptaincrew.notify.messages import compose
    from shipcaptaincrew.receipts.pdf import render_receipt
    from tests.notify.samples import payment_email

    mail = dataclasses.replace(
        payment_email(voided_at=datetime(2026, 7, 1, 13, tzinfo=UTC), void_reason="Wrong guest"),
        void=True,
        balance_cents=4500,
    )
    msg = compose(mail, render_receipt(mail.receipt))
    assert msg["Subject"] == "Correction: payment voided, receipt 7 for Sunset Cruise"
    text, _html, pdf = _parts(msg)
    assert "receipt no 7, has been voided." in text
    assert "Reason: Wrong guest" in text
    assert "Still to pay: $45.00" in text
    assert pdf.get_filename() == "receipt-7-void.pdf"
    assert "VOID" in pypdf.PdfReader(io.BytesIO(pdf.get_content())).pages[0].extract_text()


def test_shared_headers_flatten_as_the_standard_policy_flattens_them(monkeypatch) -> None:
    """Headers shared between messages keep their folding per policy: every message, under
    every policy a sender uses (and a short line length that makes them fold), flattens to
    the bytes the standard library's own policy gives."""
    from email import policy

    from shipcaptaincrew.notify import messages

    names = ["Zoë O'Brien", "A " * 60 + "long name", "Patron 7"]
    kept = [composed(patron_name=n, event_title=f"Trip {n}") for n in names * 2]
    monkeypatch.setattr(messages, "POLICY", policy.default)
    plain = [composed(patron_name=n, event_title=f"Trip {n}") for n in names * 2]
    for flatten_with in (
        policy.SMTP,
        policy.default,
        policy.SMTPUTF8,
        policy.SMTP.clone(max_line_length=40),
    ):
        for ours, theirs in zip(kept, plain, strict=True):
            assert ours.as_bytes(policy=flatten_with) == theirs.as_bytes(policy=flatten_with)
    # the From header is one object in all six messages, folded once per policy
    assert len({id(m["From"]) for m in kept}) == 1
    assert len({id(m["From"]) for m in plain}) == 6
    assert sorted(kept[0]["From"]._folds) == sorted(
        [(78, "\r\n", False), (78, "\n", False), (78, "\r\n", True), (40, "\r\n", False)]
    )


def _boundaries(msg) -> list[str]:
    return [p.get_boundary() for p in msg.walk() if p.is_multipart()]


def test_boundaries_are_shared_unless_a_text_sent_as_it_is_holds_one() -> None:
    """Every message has the same boundaries (its multipart headers parsed once for all);
    a name typed to hold one, in a text sent as it is (7bit), gives the message boundaries
    of its own id, and the message still reads back part by part."""
    from datetime import UTC, datetime
    from email import message_from_bytes, policy

    from shipcaptaincrew.notify.messages import PayLinkEmail, compose_pay_link

    first, second = composed(), composed(receipt_no=8, patron_name="Patron 8")
    assert _boundaries(first) == _boundaries(second) == ["=_scc_0", "=_scc_1"]
    assert first["Content-Type"] is second["Content-Type"]
    # A receipt's texts are quoted-printable: "=_" typed into them is encoded.
    assert _boundaries(composed(patron_name="Ann --=_scc_0--")) == ["=_scc_0", "=_scc_1"]

    def pay_link(name: str):
        return compose_pay_link(
            PayLinkEmail(
                to="ann@example.com",
                patron_name=name,
                org_name="Harbour Co",
                event_title="Trip",
                balance_cents=4500,
                currency="USD",
                guest_url="https://boats.example/g/tok123",
                mail_from="Harbour Co <boats@harbour.example>",
                reply_to="",
                message_id="msg_0123456789abcdef",
                created_at=datetime(2026, 7, 1, 12, tzinfo=UTC),
            )
        )

    plain = pay_link("Ann")
    assert _boundaries(plain) == ["=_scc_0"]
    assert plain.get_body(("plain",))["Content-Transfer-Encoding"] == "7bit"
    msg = pay_link("Ann\n--=_scc_0--")
    assert _boundaries(msg) == ["=_msg_0123456789abcdef_0"]
    back = message_from_bytes(msg.as_bytes(policy=policy.SMTP), policy=policy.default)

    def texts(m):  # as the recipient reads them (line endings as the text's own)
        return [m.get_body((k,)).get_content().replace("\r\n", "\n") for k in ("plain", "html")]

    assert texts(back) == texts(msg)
    assert "Hello Ann\n--=_scc_0--," in texts(back)[0]  # a line that would end the part
