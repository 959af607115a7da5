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
from typing import Any

from ..domain.waivers import WaiverSignature, WaiverTemplate
from .pdf import CORE, covered, use_fonts


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
    """The signed waiver of one person (see ``render_waiver_pdfs``)."""
    return render_waiver_pdfs([data], font_path=font_path)


def render_waiver_pdfs(pages: Sequence[WaiverPdfData], *, font_path: str = "") -> bytes:
    """The signed waivers of a party, one page (or more, for a long text) per signature:
    heading, event, the waiver text, the signature image and an audit footer with the
    template version, SHA-256, typed name, time, IP, user agent and guardian."""
    from fpdf import FPDF  # imported here: it costs ~0.2 s, paid only when rendering

    texts: list[str] = []
    for data in pages:
        texts += [data.template.text, data.template.name, data.patron_name, data.event_title]
        texts += [data.org_name, data.timezone, *(v for _k, v in audit_lines(data))]
    pdf = FPDF(format="A4")
    family = use_fonts(pdf, texts, font_path)
    cmaps = covered(pdf)

    def clean(text: str) -> str:
        return legible(cmaps, text)

    first = pages[0]
    pdf.set_creation_date(max(p.signature.signed_at for p in pages))
    pdf.set_title(clean(f"Signed waiver - {first.patron_name}"))
    pdf.set_author(clean(first.org_name))
    pdf.set_auto_page_break(auto=True, margin=15)
    for data in pages:
        _page(pdf, data, family, clean)
    return bytes(pdf.output())


def _page(pdf: Any, data: WaiverPdfData, family: str, clean: Any) -> None:
    texts = [data.template.text, data.template.name, data.patron_name, data.event_title]
    texts += [data.org_name, data.timezone, *(v for _k, v in audit_lines(data))]
    folded = any(clean(x).count("<U+") > x.count("<U+") for x in texts)
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
    try:  # drawn from a fresh decode: records stored before signing decoded them may not draw
        drawable = reencode_signature(data.signature.signature_png)
    except ValueError:
        pdf.set_font(family, "I" if family == CORE else "", 10)
        pdf.cell(0, 6, "[Signature image unreadable]", new_x="LMARGIN", new_y="NEXT")
    else:
        pdf.image(io.BytesIO(drawable), w=80, keep_aspect_ratio=True, h=35)
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


PLAIN_MODES = ("1", "L", "LA", "RGB", "RGBA")


def reencode_signature(png: bytes) -> bytes:
    """The signature decoded completely and encoded again as a plain PNG, so that what is
    stored is an image every reader (and this PDF) can draw. ValueError when it cannot be
    decoded (e.g. a palette image without its palette, or a bit depth its colour type does
    not allow)."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(png)) as opened:
            opened.load()
            plain = opened.convert("RGBA") if opened.mode not in PLAIN_MODES else opened
            out = io.BytesIO()
            plain.save(out, format="PNG")
    except Exception as err:  # Pillow raises several types for a broken image
        raise ValueError(f"the image cannot be decoded ({type(err).__name__})") from None
    return out.getvalue()
