"""A settled departure's report as a PDF (fpdf2). Pure: a SettlementDoc in, PDF bytes out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from ..domain.money import format_money
from ..domain.settlement_report import ReportRow, Totals
from .pdf import printable, use_fonts


@dataclass(frozen=True)
class SettlementDoc:
    org_name: str
    timezone: str
    event_title: str
    event_starts_at: datetime
    kind: str  # cancel, shift, rebook
    reason: str
    created_by_name: str
    created_at: datetime
    currency: str
    rows: list[ReportRow]
    totals: Totals


def _when(at: datetime, tz: str) -> str:
    return at.astimezone(ZoneInfo(tz)).strftime("%d %b %Y %H:%M")


TITLES = {
    "cancel": "cancelled departure",
    "shift": "departure moved in time",
    "rebook": "rebooking",
}


def render_settlement(doc: SettlementDoc, *, font_path: str = "") -> bytes:
    from fpdf import FPDF  # imported here: it costs ~0.2 s, paid only when rendering

    pdf = FPDF(format="A4", orientation="landscape")
    pdf.set_title(f"Settlement {doc.event_title}")
    pdf.set_author(doc.org_name)
    texts = [doc.org_name, doc.event_title, doc.reason, doc.created_by_name]
    texts += [f"{r.patron_name} {r.moved_to} {' '.join(r.open_items)}" for r in doc.rows]
    family = use_fonts(pdf, texts, font_path)

    def clean(text: str) -> str:
        return printable(pdf, text).replace("\n", " ")

    def money(cents: int) -> str:
        return format_money(cents, doc.currency) if cents else "-"

    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    width = pdf.epw
    pdf.set_font(family, "B", 14)
    head = f"{doc.org_name}: {TITLES.get(doc.kind, doc.kind)}"
    pdf.multi_cell(width, 8, clean(head), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 10)
    lines = [
        f"{doc.event_title}, {_when(doc.event_starts_at, doc.timezone)}",
        f"Reason: {doc.reason}",
        f"By {doc.created_by_name} on {_when(doc.created_at, doc.timezone)}",
        (
            f"Moved {doc.totals.moved}, credited {doc.totals.credited} "
            f"({money(doc.totals.credited_cents)}), refunded {doc.totals.refunded} "
            f"({money(doc.totals.refunded_cents)} handed back, "
            f"{money(doc.totals.requested_cents)} through the provider); "
            f"emails sent {doc.totals.emails_sent} of {len(doc.rows)}; "
            f"open items {doc.totals.open_items}"
        ),
    ]
    for line in lines:
        pdf.multi_cell(width, 6, clean(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    cols: list[tuple[str, float]] = [
        ("Party", 48),
        ("Size", 12),
        ("Action", 18),
        ("Moved to", 40),
        ("Credit", 22),
        ("Refunded", 22),
        ("Via provider", 24),
        ("Email", 16),
    ]
    cols.append(("Open", width - sum(w for _, w in cols)))
    pdf.set_font(family, "B", 9)
    for name, w in cols:
        pdf.cell(w, 7, name, border="B")
    pdf.ln()
    pdf.set_font(family, "", 9)
    for r in doc.rows:
        values = [
            r.patron_name,
            str(r.party_size),
            r.action if r.state == "done" else f"{r.action} ({r.state})",
            r.moved_to,
            money(r.credited_cents),
            money(r.refunded_cents),
            money(r.requested_cents),
            r.email or "-",
            "; ".join(r.open_items) or "-",
        ]
        for (_, w), value in zip(cols, values, strict=True):
            pdf.cell(w, 7, clean(value)[: int(w * 0.6)])
        pdf.ln()
    return bytes(pdf.output())
