"""Receipt PDFs (fpdf2). Pure: a ReceiptData in, PDF bytes out.

Names print as typed in Latin, Greek and Cyrillic letters ("Łukasz Żółć", "Σωκράτης",
"Пётр") with no font on the machine (Lambda included): a document whose text is all
Windows-1252 (most Western European names) is drawn in the built-in Helvetica, which needs
no font file and renders in a few milliseconds; any other document embeds DejaVu Sans,
shipped in ``fonts/`` (parsing and subsetting it costs about 50 ms a document). With
``font_path`` (SCC_RECEIPT_FONT) that TrueType font covers the characters DejaVu lacks
(CJK, Arabic, Hebrew, Indic, Thai: fpdf2 takes a character from it when DejaVu has none);
anything no font has prints as "?".
Patron-supplied text is drawn as text, never interpreted as markup.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Container, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, cast
from zoneinfo import ZoneInfo

from ..domain.money import format_money

if TYPE_CHECKING:
    from fpdf import FPDF
    from fpdf.fonts import CoreFont, TTFFont

# DejaVu Sans, shipped in fonts/ (its license is there).
FONTS = Path(__file__).with_name("fonts")
REGULAR = FONTS / "DejaVuSans.ttf"
BOLD = FONTS / "DejaVuSans-Bold.ttf"
FAMILY = "dejavu"
EXTRA = "extra"


CORE = "helvetica"
# What the built-in fonts draw: Windows-1252 (Latin-1 plus the euro and typographic signs).
CP1252 = frozenset(ord(c) for c in bytes(range(32, 256)).decode("cp1252", errors="ignore"))


def use_fonts(pdf: FPDF, texts: Iterable[str], extra_path: str = "") -> str:
    """Choose the document's font family for ``texts`` (everything it will draw) and return
    it: the built-in Helvetica (Windows-1252) when every character is Windows-1252 and no
    extra font is set, else DejaVu Sans (regular and bold) with ``extra_path`` (when given)
    as its fallback for characters DejaVu lacks."""
    if not extra_path and all(ord(c) in CP1252 or c in "\n\t\r" for t in texts for c in t):
        pdf.core_fonts_encoding = "windows-1252"
        pdf.set_font(CORE, "", 10)
        return CORE
    _add_dejavu(pdf, "", REGULAR)  # fpdf2 keeps only the glyphs a document uses
    _add_dejavu(pdf, "B", BOLD)
    if extra_path:
        pdf.add_font(EXTRA, "", extra_path)
        pdf.set_fallback_fonts([EXTRA], exact_match=False)
    pdf.set_font(FAMILY, "", 10)
    return FAMILY


@functools.cache
def _parsed(path: Path, style: str) -> TTFFont:
    """DejaVu Sans (``path``) as fpdf2 reads it (metrics, character map, glyph ids), once
    per process: reading it is about 6 ms of each document's 26."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font(FAMILY, style, path)
    return cast("TTFFont", pdf.fonts[f"{FAMILY}{style}"])


def _add_dejavu(pdf: FPDF, style: str, path: Path) -> None:
    """``pdf.add_font(FAMILY, style, path)`` from the font read once: a copy with what a
    document changes of its own (its number, the font file it subsets in place when it is
    written, the glyphs it used). The same PDF bytes."""
    from fontTools import ttLib
    from fpdf.fonts import SubsetMap

    base = _parsed(path, style)
    font = copy.copy(base)
    font.i = len(pdf.fonts) + 1
    font.ttfont = ttLib.TTFont(
        font.ttffile, recalcTimestamp=False, fontNumber=font.collection_font_number, lazy=True
    )
    font.subset = SubsetMap(font)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font._hbfont = None  # noqa: SLF001 - the copy's own, made when first needed
    pdf.fonts[font.fontkey] = font


def covered(pdf: FPDF) -> list[Container[int]]:
    """The code points the document's fonts have (each TrueType font's, or Windows-1252
    for the built-in font)."""
    from fpdf.fonts import TTFFont

    cmaps: list[Container[int]] = [
        font.cmap for font in pdf.fonts.values() if isinstance(font, TTFFont)
    ]
    return cmaps or [CP1252]


def printable(pdf: FPDF, text: str) -> str:
    """``text`` with each character no registered font has replaced by "?" (rather than
    an empty box), tabs as spaces."""
    cmaps = covered(pdf)
    out = []
    for ch in text:
        if ch in "\r\t":
            out.append(" ")
        elif ch == "\n" or any(ord(ch) in cmap for cmap in cmaps):
            out.append(ch)
        else:
            out.append("?")
    return "".join(out)


@dataclass(frozen=True)
class ReceiptData:
    org_name: str
    receipt_no: int
    patron_name: str
    patron_email: str
    event_title: str
    event_starts_at: datetime
    amount_cents: int
    currency: str
    method: str
    reference: str
    logged_by: str
    logged_at: datetime
    timezone: str = "UTC"
    voided_at: datetime | None = None
    void_reason: str | None = None


def _when(at: datetime, tz: str) -> str:
    local = at.astimezone(ZoneInfo(tz))
    return local.strftime("%a %d %b %Y, %H:%M ") + (local.tzname() or tz)


def line(pdf: FPDF, w: float, h: float, text: str, *, core: bool, next_line: bool = True) -> None:
    """One left-aligned line of ``text`` that fits ``w``, as ``pdf.cell`` draws it; then to
    the next line (``next_line``) or to the right of the cell. In the built-in font
    (``core``) the text is placed with ``pdf.text`` at the baseline ``cell`` gives it,
    without ``cell``'s per-fragment machinery (half of a receipt's rendering time);
    TrueType fonts keep ``cell``, which picks the fallback font for each character."""
    if not core or pdf.y + h > pdf.page_break_trigger:
        if next_line:
            pdf.cell(w, h, text, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.cell(w, h, text)
        return
    if text:
        pdf.text(pdf.x + pdf.c_margin, pdf.y + 0.5 * h + 0.3 * pdf.font_size, text)
    if next_line:
        pdf.ln(h)
    else:
        pdf.set_x(pdf.x + w)


def string_width(pdf: FPDF, text: str, *, core: bool) -> float:
    """``pdf.get_string_width(text)`` in the current font; in the built-in font (``core``,
    no character spacing or stretching, which a receipt never sets) added up from its
    character widths directly, without the text fragments ``get_string_width`` builds
    first (a tenth of a receipt's rendering time)."""
    if not core:
        return pdf.get_string_width(text)
    font = cast("CoreFont", pdf.current_font)  # its widths are by Windows-1252 byte
    return font.get_text_width(pdf.normalize_text(text), pdf.font_size_pt, None)[1] / pdf.k


def render_receipt(data: ReceiptData, *, font_path: str = "") -> bytes:
    """The receipt as PDF bytes. The same data always gives the same bytes."""
    from fpdf import FPDF  # imported here: it costs ~0.2 s, paid only when rendering

    pdf = FPDF(format="A4")
    pdf.set_creation_date(data.logged_at)
    pdf.set_title(f"Receipt {data.receipt_no}")
    pdf.set_author(data.org_name)
    amount = format_money(data.amount_cents, data.currency)
    rows = [
        ("Refunded to" if data.amount_cents < 0 else "Received from", data.patron_name),
        ("Email", data.patron_email),
        ("Event", data.event_title),
        ("Date", _when(data.event_starts_at, data.timezone)),
        ("Amount", f"{amount} ({data.currency})"),
        ("Method", data.method),
        ("Reference", data.reference or "-"),
        ("Logged by", data.logged_by),
        ("Logged at", _when(data.logged_at, data.timezone)),
    ]
    texts = [data.org_name, data.void_reason or "", *(value for _label, value in rows)]
    family, style_bold = use_fonts(pdf, texts, font_path), "B"

    core = family == CORE

    def clean(text: str) -> str:
        if core:  # use_fonts found every character Windows-1252: only the spacing to mend
            return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")
        return printable(pdf, text).replace("\n", " ")

    def lines(w: float, h: float, text: str, align: str = "J") -> None:
        """``text`` wrapped to ``w`` (``multi_cell``, justified by default), or as one cell
        when it fits: the same look (a paragraph's last line is not justified) without
        the line breaker, which was most of a short receipt's rendering time."""
        fits = string_width(pdf, text, core=core) + 2 * pdf.c_margin <= w
        if fits and align in "JL":
            line(pdf, w, h, text, core=core)
        elif fits:
            pdf.cell(w, h, text, align=align, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.multi_cell(w, h, text, align=align, new_x="LMARGIN", new_y="NEXT")

    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    width = pdf.epw

    pdf.set_font(family, style_bold, 16)
    lines(width, 8, clean(data.org_name))
    pdf.set_font(family, "", 11)
    kind = "Refund receipt" if data.amount_cents < 0 else "Receipt"  # a refund: money back
    line(pdf, width, 7, f"{kind} no. {data.receipt_no}", core=core)
    pdf.ln(3)
    if data.voided_at is not None:
        pdf.set_text_color(190, 0, 0)
        pdf.set_font(family, style_bold, 28)
        pdf.cell(width, 14, "VOID", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, "", 10)
        voided = f"Voided {_when(data.voided_at, data.timezone)}: {data.void_reason or ''}"
        lines(width, 6, clean(voided), align="C")
        pdf.set_text_color(0, 0, 0)
        pdf.ln(2)

    label_w = 32
    for label, value in rows:
        pdf.set_font(family, style_bold, 10)
        line(pdf, label_w, 7, label, core=core, next_line=False)
        pdf.set_font(family, "", 10)
        lines(width - label_w, 7, clean(value))
    pdf.ln(4)
    pdf.set_font(family, "", 8)
    lines(width, 5, clean(f"Thank you. Keep this receipt for your records. {data.org_name}"))
    return bytes(pdf.output())
