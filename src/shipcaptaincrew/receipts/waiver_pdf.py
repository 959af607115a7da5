"""The signed-waiver PDF (fpdf2). Pure: data in, bytes out.

Latin, Greek and Cyrillic names print as typed: in the built-in Helvetica when all the
text is Windows-1252, else in the bundled DejaVu Sans (see ``pdf.py``). With
``font_path`` (SCC_RECEIPT_FONT) that font covers what DejaVu lacks. A character no font
has is written as ``<U+XXXX>`` so that none disappears silently; the PDF says so in its
footer when it happened, and the SHA-256 always refers to the exact stored text.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Container, Sequence
from dataclasses import dataclass
from datetime import datetime

from ..domain.waivers import WaiverSignature, WaiverTemplate
from .pdf import covered, use_fonts


def legible(cmaps: Sequence[Container[int]], text: str) -> str:
    """``text`` with each character none of the fonts (their ``cmaps``) has written as
    ``<U+XXXX>``; control and format characters draw nothing and are dropped."""
    out = []
    for ch in text:
        if ch == "\n" or any(ord(ch) in cmap for cmap in cmaps):
            out.append(ch)
        elif ch == "\t":
            out.append("    ")
        elif unicodedata.category(ch).startswith("C"):
            continue
        else:
            out.append(f"<U+{ord(ch):04X}>")
    return "".join(out)


@dataclass(frozen=True)
class WaiverPdfData:
    org_name: str
    event_title: str
    event_starts_at: datetime  # already in the organisation's time zone
    patron_name: str
    template: WaiverTemplate
    signature: WaiverSignature
    timezone: str


def _fmt(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S %Z").strip()


def audit_lines(data: WaiverPdfData) -> list[tuple[str, str]]:
    """The audit footer, as (label, value) pairs."""
    s, t = data.signature, data.template
    lines = [
        ("Template", f"{t.name} ({t.id}), version {t.version}"),
        ("SHA-256 of text", s.template_sha256),
        ("Typed name", s.signer_name),
        ("Signed at (UTC)", _fmt(s.signed_at)),
        ("IP address", s.ip or "-"),
        ("User agent", s.user_agent or "-"),
        ("Signature id", s.id),
    ]
    if s.for_minor:
        lines.insert(3, ("Guardian", f"{s.guardian_name} ({s.guardian_relationship})"))
        lines.insert(4, ("Signed for minor", data.patron_name))
    return lines


def render_waiver_pdf(data: WaiverPdfData, *, font_path: str = "") -> bytes:
    """The signed waiver: heading, event, the waiver text, the signature image and an
    audit footer with the template version, SHA-256, typed name, time, IP, user agent
    and guardian."""
    from fpdf import FPDF  # imported here: it costs ~0.2 s, paid only when rendering

    texts = [data.template.text, data.template.name, data.patron_name, data.event_title]
    texts += [data.org_name, data.timezone, *(v for _k, v in audit_lines(data))]
    pdf = FPDF(format="A4")
    family = use_fonts(pdf, texts, font_path)
    cmaps = covered(pdf)

    def clean(text: str) -> str:
        return legible(cmaps, text)

    folded = any(clean(x).count("<U+") > x.count("<U+") for x in texts)
    pdf.set_creation_date(data.signature.signed_at)
    pdf.set_title(clean(f"Signed waiver - {data.patron_name}"))
    pdf.set_author(clean(data.org_name))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font(family, "B", 16)
    pdf.multi_cell(0, 8, clean(data.org_name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 11)
    when = data.event_starts_at.strftime("%A %d %B %Y, %H:%M")
    heading = f"Signed waiver: {data.event_title}, {when} ({data.timezone})"
    pdf.multi_cell(0, 6, clean(heading), new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 6, clean(f"Patron: {data.patron_name}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(family, "B", 12)
    pdf.multi_cell(0, 6, clean(data.template.name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 10)
    pdf.multi_cell(0, 5, clean(data.template.text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(family, "B", 10)
    pdf.cell(0, 6, "Signature", new_x="LMARGIN", new_y="NEXT")
    if pdf.get_y() + 45 > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.image(io.BytesIO(data.signature.signature_png), w=80, keep_aspect_ratio=True, h=35)
    pdf.ln(2)
    pdf.set_font(family, "B", 9)
    pdf.cell(0, 5, "Audit record", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 8)
    for label, value in audit_lines(data):
        pdf.multi_cell(0, 4, clean(f"{label}: {value}"), new_x="LMARGIN", new_y="NEXT")
    if folded:
        note = (
            "Characters the document's fonts lack are shown as <U+XXXX>; the SHA-256 "
            "refers to the exact stored text."
        )
        pdf.multi_cell(0, 4, note, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
