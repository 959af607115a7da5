"""The signed-waiver PDF: text, signature image and audit footer, read back with pypdf."""

import io
from datetime import UTC, datetime

from pypdf import PdfReader

from shipcaptaincrew.receipts.waiver_pdf import WaiverPdfData, render_waiver_pdf
from tests import factories as f
from tests import waiver_factories as w


def _data(text: str = w.WAIVER_TEXT, name: str = "Pat Doe") -> WaiverPdfData:
    event, patron = f.event_record(), f.patron_record(name=name)
    template = w.template_record(text=text)
    sig = w.signature_record(f.booking_record(event, patron), template)
    return WaiverPdfData(
        org_name="Harbour Co.",
        event_title="Sunset Cruise",
        event_starts_at=datetime(2026, 7, 2, 18, 30, tzinfo=UTC),
        patron_name=name,
        template=template,
        signature=sig,
        timezone="UTC",
    )


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_has_text_signature_and_audit_footer() -> None:
    data = _data()
    pdf = render_waiver_pdf(data)
    text = _text(pdf)
    assert pdf.startswith(b"%PDF-")
    assert "I take part at my own risk." in text
    assert f"SHA-256 of text: {data.template.sha256}" in text
    assert "Typed name: Pat Doe" in text
    assert "Signed at (UTC): 2026-07-01 12:00:00 UTC" in text
    assert "IP address: 203.0.113.9" in text
    assert "User agent: TestBrowser/1.0" in text
    assert "Guardian: Sam Doe (Parent)" in text
    assert f"version {data.template.version}" in text
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert len(page.images) == 1
    assert render_waiver_pdf(data) == pdf  # pure: same data, same bytes


def test_names_print_as_typed_and_missing_letters_are_said_so() -> None:
    name = "Łukasz Żółć"
    data = _data(text="Ryzyko — łódź. Σωκράτης, Пётр. 張偉", name=name)
    text = _text(render_waiver_pdf(data))
    assert "Ryzyko — łódź. Σωκράτης, Пётр. <U+5F35><U+5049>" in text
    assert "Patron: Łukasz Żółć" in text
    assert "Characters the document's fonts lack are shown as <U+XXXX>" in text


def test_greek_and_cyrillic_names() -> None:
    for name in ("Σωκράτης", "Пётр"):
        text = _text(render_waiver_pdf(_data(name=name)))
        assert f"Patron: {name}" in text
        assert "fonts lack" not in text
