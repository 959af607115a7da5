"""The captain's passenger list as a PDF (fpdf2). Pure: PassengerList in, PDF bytes out.

Who went aboard, per party: name, phone (the emergency contact the booking has), party
size, aboard, returned and still out, each party's emergency notes under its row, with
totals and the time the list was made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .pdf import _when, printable, use_fonts


@dataclass(frozen=True)
class PassengerRow:
    name: str
    phone: str
    party_size: int
    aboard: int
    returned: int
    notes: tuple[str, ...] = ()

    @property
    def still_out(self) -> int:
        return self.aboard - self.returned


@dataclass(frozen=True)
class PassengerList:
    org_name: str
    event_title: str
    event_starts_at: datetime
    generated_at: datetime
    timezone: str = "UTC"
    rows: list[PassengerRow] = field(default_factory=list)


COLUMNS = [("Name", 62), ("Phone", 40), ("Party", 18), ("Aboard", 20), ("Back", 18), ("Out", 18)]


def render_passengers(data: PassengerList, *, font_path: str = "") -> bytes:
    """The passenger list as PDF bytes; those still out are listed first, in bold."""
    from fpdf import FPDF  # imported here: it costs ~0.2 s, paid only when rendering

    pdf = FPDF(format="A4")
    pdf.set_creation_date(data.generated_at)
    pdf.set_title(f"Passenger list: {data.event_title}")
    pdf.set_author(data.org_name)
    texts = [data.org_name, data.event_title, *(r.name for r in data.rows)]
    texts += [r.phone for r in data.rows] + [n for r in data.rows for n in r.notes]
    family, bold = use_fonts(pdf, texts, font_path), "B"

    def clean(text: str) -> str:
        return printable(pdf, text).replace("\n", " ")

    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    width = pdf.epw
    pdf.set_font(family, bold, 15)
    pdf.multi_cell(
        width, 8, clean(f"Passenger list: {data.event_title}"), new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font(family, "", 10)
    pdf.cell(
        width,
        6,
        clean(f"{data.org_name} · {_when(data.event_starts_at, data.timezone)}"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.cell(
        width, 6, f"Made {_when(data.generated_at, data.timezone)}", new_x="LMARGIN", new_y="NEXT"
    )
    aboard = sum(r.aboard for r in data.rows)
    back = sum(r.returned for r in data.rows)
    pdf.set_font(family, bold, 11)
    pdf.cell(
        width,
        8,
        f"Aboard {aboard} · Returned {back} · Still out {aboard - back}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    pdf.set_font(family, bold, 10)
    for title, w in COLUMNS:
        pdf.cell(w, 7, title, border="B")
    pdf.ln(7)
    for row in sorted(data.rows, key=lambda r: (r.still_out == 0, r.name.casefold())):
        pdf.set_font(family, bold if row.still_out else "", 10)
        cells = [
            row.name,
            row.phone or "-",
            row.party_size,
            row.aboard,
            row.returned,
            row.still_out,
        ]
        for (_, w), value in zip(COLUMNS, cells, strict=True):
            pdf.cell(w, 7, clean(str(value))[:40])
        pdf.ln(7)
        if row.notes:
            pdf.set_font(family, "", 8)
            pdf.set_x(pdf.l_margin + 4)
            pdf.multi_cell(width - 4, 4, clean("; ".join(row.notes)), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
    return bytes(pdf.output())
