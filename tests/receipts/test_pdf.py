"""Receipt PDFs, read back with pypdf."""

from __future__ import annotations

import dataclasses
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pypdf
import pytest

from shipcaptaincrew.receipts.pdf import line, render_receipt, string_width
from tests.notify.samples import RECEIPT

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_receipt_lists_the_payment() -> None:
    text = _text(render_receipt(RECEIPT))
    assert text.splitlines() == [
        "Harbour Co.",
        "Receipt no. 7",
        "Received from Zoë O'Brien",
        "Email zoe@example.com",
        "Event Sunset Cruise",
        "Date Wed 01 Jul 2026, 18:30 UTC",
        "Amount $45.00 (USD)",
        "Method card",
        "Reference T-1001",
        "Logged by Jordan Blake",
        "Logged at Wed 01 Jul 2026, 12:00 UTC",
        "Thank you. Keep this receipt for your records. Harbour Co.",
    ]


def test_same_data_same_bytes() -> None:
    assert render_receipt(RECEIPT) == render_receipt(RECEIPT)


def test_voided_receipt_says_void() -> None:
    voided = dataclasses.replace(
        RECEIPT, voided_at=datetime(2026, 7, 1, 13, 5, tzinfo=UTC), void_reason="Wrong guest"
    )
    lines = _text(render_receipt(voided)).splitlines()
    assert lines[2:4] == ["VOID", "Voided Wed 01 Jul 2026, 13:05 UTC: Wrong guest"]


@pytest.mark.parametrize(
    "name", ["Łukasz Żółć", "Σωκράτης", "Пётр", "Nguyễn Thị Hồng", "Şükrü Dvořák"]
)
def test_names_print_as_typed(name: str) -> None:
    data = dataclasses.replace(RECEIPT, patron_name=name, amount_cents=1250, currency="EUR")
    text = _text(render_receipt(data))
    assert f"Received from {name}" in text
    assert "Amount €12.50 (EUR)" in text


def test_letters_no_font_has_print_as_question_marks() -> None:
    data = dataclasses.replace(RECEIPT, patron_name="Łukasz 山田 <b>x</b>")
    assert "Received from Łukasz ?? <b>x</b>" in _text(render_receipt(data))


@pytest.mark.skipif(not DEJAVU.exists(), reason="DejaVu fonts are not installed")
def test_an_extra_truetype_font_is_used_beyond_dejavu() -> None:
    data = dataclasses.replace(RECEIPT, patron_name="Łukasz Dvořák")
    text = _text(render_receipt(data, font_path=str(DEJAVU)))
    assert "Received from Łukasz Dvořák" in text


def _fonts(pdf: bytes) -> set[str]:
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    fonts = page["/Resources"]["/Font"].values()
    return {str(f["/BaseFont"]).lstrip("/").split("+")[-1] for f in fonts}


def test_windows_1252_text_needs_no_embedded_font_and_other_letters_embed_dejavu() -> None:
    assert _fonts(render_receipt(RECEIPT)) == {"Helvetica", "Helvetica-Bold"}
    polish = dataclasses.replace(RECEIPT, patron_name="Łukasz Żółć")
    assert _fonts(render_receipt(polish)) == {"DejaVuSansBook", "DejaVuSansBold"}
    greek = dataclasses.replace(RECEIPT, event_title="Κρουαζιέρα")  # any text, not only names
    assert _fonts(render_receipt(greek)) == {"DejaVuSansBook", "DejaVuSansBold"}
    assert "Event Κρουαζιέρα" in _text(render_receipt(greek))


def test_dejavu_read_once_gives_the_bytes_of_a_font_read_per_document(monkeypatch) -> None:
    """The font is read once per process and each document gets a copy of its own: the
    same bytes as fpdf2 reading the font for each document, whatever came before."""
    from shipcaptaincrew.receipts import pdf as module

    polish = dataclasses.replace(RECEIPT, patron_name="Łukasz Żółć")
    greek = dataclasses.replace(RECEIPT, patron_name="Σωκράτης", event_title="Пётр")
    shared = [render_receipt(polish), render_receipt(greek), render_receipt(polish)]

    def per_document(pdf, style, path):  # type: ignore[no-untyped-def]
        pdf.add_font(module.FAMILY, style, path)

    monkeypatch.setattr(module, "_add_dejavu", per_document)
    assert shared == [render_receipt(polish), render_receipt(greek), render_receipt(polish)]


def _placed(pdf: bytes) -> list[tuple[str, float, float, str, float]]:
    """Each piece of text with where it starts (x, baseline y), its font and size."""
    placed: list[tuple[str, float, float, str, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if text.strip():
            x, y = tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]
            placed.append((text.strip(), round(x, 2), round(y, 2), font["/BaseFont"], size))

    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return placed


@pytest.mark.parametrize("core", [True, False])
def test_a_line_in_the_built_in_font_is_placed_where_cell_places_it(core: bool) -> None:
    """``line`` draws the built-in font's lines with ``text`` instead of ``cell``: the same
    text at the same place, and the same position after it."""
    from fpdf import FPDF

    def draw(fast: bool) -> tuple[bytes, list[tuple[float, float]]]:
        pdf = FPDF(format="A4")
        pdf.set_creation_date(datetime(2026, 7, 1, tzinfo=UTC))
        pdf.add_page()
        pdf.set_font("helvetica", "B", 16)
        where = []
        line(pdf, pdf.epw, 8, "Harbour Co.", core=fast)
        where.append((pdf.x, pdf.y))
        pdf.set_font("helvetica", "B", 10)
        line(pdf, 32, 7, "Received from", core=fast, next_line=False)
        where.append((pdf.x, pdf.y))
        pdf.set_font("helvetica", "", 10)
        line(pdf, pdf.epw - 32, 7, "Zoe O'Brien", core=fast)
        where.append((pdf.x, pdf.y))
        line(pdf, pdf.epw - 32, 7, "", core=fast)
        where.append((pdf.x, pdf.y))
        return bytes(pdf.output()), where

    fast_pdf, fast_at = draw(core)
    cell_pdf, cell_at = draw(False)
    assert (
        _placed(fast_pdf)
        == _placed(cell_pdf)
        == [
            ("Harbour Co.", 31.18, 797.4, "/Helvetica-Bold", 16.0),
            ("Received from", 31.18, 777.95, "/Helvetica-Bold", 10.0),
            ("Zoe O'Brien", 121.89, 777.95, "/Helvetica", 10.0),
        ]
    )
    margin = 10.0  # fpdf2's default page margin: 1 cm
    assert fast_at == cell_at
    assert [(round(x, 6), y) for x, y in fast_at] == [
        (margin, 18.0),  # after the 8 mm line from the top margin
        (margin + 32, 18.0),  # right of the label
        (margin, 25.0),
        (margin, 32.0),  # an empty line still moves down
    ]


def test_a_receipt_in_the_built_in_font_is_drawn_without_cell() -> None:
    """The speed of a Windows-1252 receipt rests on its lines not going through ``cell``."""
    from fpdf import FPDF

    calls = []
    original = FPDF.cell

    def counted(self: FPDF, *args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return original(self, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(FPDF, "cell", counted)
        render_receipt(dataclasses.replace(RECEIPT, patron_name="Zoe O'Brien"))
        assert calls == []
        render_receipt(RECEIPT)  # "Zoë" is Windows-1252 too
        assert calls == []
        smart = dataclasses.replace(RECEIPT, currency="EUR", patron_name="Zoë “Zo” O’Brien")
        text = _text(render_receipt(smart))  # and the euro sign and typographic quotes
        assert calls == []
        assert "Received from Zoë “Zo” O’Brien\n" in text
        assert "Amount €45.00 (EUR)\n" in text
        render_receipt(dataclasses.replace(RECEIPT, patron_name="Łukasz"))  # DejaVu: cell
        assert len(calls) == 21


def test_a_width_added_up_in_the_built_in_font_is_fpdfs_own() -> None:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = "windows-1252"
    pdf.add_page()
    texts = ["", "Received from", "Zoë O'Brien – €45.00 (EUR)", "W" * 80, "i l . ,"]
    for style, size in (("", 10), ("B", 16), ("", 8), ("B", 28)):
        pdf.set_font("helvetica", style, size)
        for text in texts:
            assert string_width(pdf, text, core=True) == pdf.get_string_width(text), text
    pdf.set_font("helvetica", "", 10)  # 6,446 thousandths of a point per point, in mm
    assert string_width(pdf, "Received from", core=True) == pytest.approx(64.46 / (72 / 25.4))
