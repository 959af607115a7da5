"""The crew cash-up as a PDF (fpdf2). Pure: a CashupDoc in, PDF bytes out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from ..domain.cashup import CashClose, CashRow
from ..domain.money import format_money
from ..domain.payments import method_label
from .pdf import printable, use_fonts


@dataclass(frozen=True)
class CashupDoc:
    org_name: str
    timezone: str
    event_title: str
    event_starts_at: datetime
    currency: str
    rows: list[CashRow]
    close: CashClose | None


def _when(at: datetime, tz: str) -> str:
    return at.astimezone(ZoneInfo(tz)).strftime("%d %b %Y %H:%M")


def render_cashup(doc: CashupDoc, *, font_path: str = "") -> bytes:
    from fpdf import FPDF  # imported here: it costs ~0.2 s, paid only when rendering

    pdf = FPDF(format="A4", orientation="landscape")
    pdf.set_title(f"Cash-up {doc.event_title}")
    pdf.set_author(doc.org_name)
    texts = [doc.org_name, doc.event_title, doc.close.closed_by_name if doc.close else ""]
    texts += [str(value) for row in doc.rows for value in vars(row).values()]
    family, bold = use_fonts(pdf, texts, font_path), "B"

    def clean(text: str) -> str:
        return printable(pdf, text).replace("\n", " ")

    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    width = pdf.epw
    pdf.set_font(family, bold, 14)
    pdf.multi_cell(width, 8, clean(f"{doc.org_name}: cash-up"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 10)
    title = f"{doc.event_title}, {_when(doc.event_starts_at, doc.timezone)}"
    pdf.multi_cell(width, 6, clean(title), new_x="LMARGIN", new_y="NEXT")
    status = (
        f"Closed by {doc.close.closed_by_name} on {_when(doc.close.closed_at, doc.timezone)}"
        if doc.close
        else "Not closed yet"
    )
    pdf.multi_cell(width, 6, clean(status), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    cols: list[tuple[str, float]] = [
        ("Crew", 50),
        ("Method", 30),
        ("Ledger", 28),
        ("Counted", 28),
        ("Difference", 28),
    ]
    cols.append(("Note", width - sum(w for _, w in cols)))
    pdf.set_font(family, bold, 9)
    for name, w in cols:
        pdf.cell(w, 7, name, border="B")
    pdf.ln()
    pdf.set_font(family, "", 9)

    def money(cents: int | None) -> str:
        return "-" if cents is None else format_money(cents, doc.currency)

    for r in doc.rows:
        diff = r.difference_cents
        note = r.note
        if r.after_close:
            before = money(r.closed_count_cents)
            note = f"AFTER CLOSING (was {before} at close). {note}".strip()
        values = [
            r.crew_name,
            method_label(r.method),
            money(r.expected_cents),
            money(r.counted_cents),
            "not counted" if diff is None else ("0" if diff == 0 else money(diff)),
            note,
        ]
        for (_, w), value in zip(cols, values, strict=True):
            pdf.cell(w, 7, clean(value)[: int(w * 0.6)])
        pdf.ln()
    return bytes(pdf.output())
