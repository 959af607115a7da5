"""Receipt PDFs (fpdf2). Pure: a ReceiptData in, PDF bytes out.

Text goes out in the built-in Helvetica with the Windows-1252 encoding, so the
file needs no font on the machine (Lambda included) and covers Western European
names ("Zoë O'Brien", "François", "Øyvind", "€"). Other letters are transliterated
where Unicode knows a base letter ("Łukasz" -> "Lukasz", "Dvořák" -> "Dvorák") and
shown as "?" otherwise. With ``font_path`` (SCC_RECEIPT_FONT, e.g. DejaVuSans.ttf)
that TrueType font is embedded instead and every character it has is kept.
Patron-supplied text is drawn as text, never interpreted as markup.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from ..domain.money import format_money

# Letters without a Unicode decomposition to a Windows-1252 letter.
_EXTRA = str.maketrans(
    {"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "ı": "i", "Ħ": "H", "ħ": "h", "ŀ": "l", "Ŀ": "L"}
)


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


def to_cp1252(text: str) -> str:
    """``text`` with every character Windows-1252 lacks transliterated or replaced by "?"."""
    out = []
    for ch in text.translate(_EXTRA):
        if ch in "\r\n\t":
            out.append(" ")
            continue
        try:
            ch.encode("cp1252")
            out.append(ch)
            continue
        except UnicodeEncodeError:
            pass
        base = unicodedata.normalize("NFKD", ch)
        kept = "".join(c for c in base if not unicodedata.combining(c))
        try:
            kept.encode("cp1252")
            out.append(kept or "?")
        except UnicodeEncodeError:
            out.append("?")
    return "".join(out)


def _when(at: datetime, tz: str) -> str:
    local = at.astimezone(ZoneInfo(tz))
    return local.strftime("%a %d %b %Y, %H:%M ") + (local.tzname() or tz)


def render_receipt(data: ReceiptData, *, font_path: str = "") -> bytes:
    """The receipt as PDF bytes. The same data always gives the same bytes."""
    from fpdf import FPDF  # imported here: it costs ~0.2 s, paid only when rendering

    pdf = FPDF(format="A4")
    pdf.set_creation_date(data.logged_at)
    pdf.set_title(f"Receipt {data.receipt_no}")
    pdf.set_author(data.org_name)
    if font_path:
        pdf.add_font("receipt", "", font_path)
        family, style_bold, clean = "receipt", "", (lambda s: s.replace("\n", " "))
    else:
        pdf.core_fonts_encoding = "windows-1252"
        family, style_bold, clean = "helvetica", "B", to_cp1252
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    width = pdf.epw

    pdf.set_font(family, style_bold, 16)
    pdf.multi_cell(width, 8, clean(data.org_name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 11)
    kind = "Refund receipt" if data.amount_cents < 0 else "Receipt"  # a refund: money back
    pdf.cell(width, 7, f"{kind} no. {data.receipt_no}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    if data.voided_at is not None:
        pdf.set_text_color(190, 0, 0)
        pdf.set_font(family, style_bold, 28)
        pdf.cell(width, 14, "VOID", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, "", 10)
        voided = f"Voided {_when(data.voided_at, data.timezone)}: {data.void_reason or ''}"
        pdf.multi_cell(width, 6, clean(voided), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
        pdf.ln(2)

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
    label_w = 32
    for label, value in rows:
        pdf.set_font(family, style_bold, 10)
        pdf.cell(label_w, 7, label)
        pdf.set_font(family, "", 10)
        pdf.multi_cell(width - label_w, 7, clean(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(family, "", 8)
    pdf.multi_cell(
        width,
        5,
        clean(f"Thank you. Keep this receipt for your records. {data.org_name}"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
