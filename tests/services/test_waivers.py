"""Waiver templates and e-waiver signing through the real use cases on SQLite."""

import dataclasses
import io

import pypdf
import pytest

from shipcaptaincrew.domain.errors import Conflict, Forbidden, Invalid, NotFound
from shipcaptaincrew.domain.models import Role, WaiverKind
from shipcaptaincrew.domain.waivers import text_sha256
from shipcaptaincrew.receipts.waiver_pdf import (
    WaiverPdfData,
    reencode_signature,
    render_waiver_pdf,
)
from shipcaptaincrew.services import attendance, events, roster, waivers
from shipcaptaincrew.services import waiver_templates as templates
from tests import factories as f
from tests import waiver_factories as w


def _pixels(png: bytes) -> list:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        return list(image.convert("L").tobytes())  # one byte a pixel in mode L


def _setup(ctx):
    admin = f.crew(ctx)
    template = templates.create_template(ctx, by=admin, name="Std", text=w.WAIVER_TEXT)
    event = f.event(ctx, admin, waiver_template_id=template.id)
    booking = f.booking(ctx, admin, event.id, name="Pat Doe")
    return admin, template, event, booking


def _req(template, **kw) -> waivers.SignRequest:
    args = dict(
        template_id=template.id,
        template_version=template.version,
        template_sha256=template.sha256,
        signer_name="Pat Doe",
        signature_png=w.png(),
    )
    args.update(kw)
    return waivers.SignRequest(**args)


def test_templates_are_versioned(ctx, clock) -> None:
    admin = f.crew(ctx)
    v1 = templates.create_template(ctx, by=admin, name=" Std ", text="One\r\nTwo ")
    assert (v1.name, v1.version, v1.text, v1.sha256) == (
        "Std",
        1,
        "One\nTwo",
        text_sha256("One\nTwo"),
    )
    assert v1.created_by == admin.id
    clock.advance(minutes=1)
    v2 = templates.edit_template(ctx, by=admin, template_id=v1.id, text="Three")
    assert (v2.id, v2.version, v2.name, v2.text) == (v1.id, 2, "Std", "Three")
    assert templates.edit_template(ctx, by=admin, template_id=v1.id, text="Three") == v2
    assert templates.list_versions(ctx, template_id=v1.id) == [v1, v2]
    assert templates.list_templates(ctx) == [v2]
    entries = ctx.store.list_audit()
    assert [e.action for e in entries] == [
        "waiver_template.edited",
        "waiver_template.created",
        "crew.created",
    ]
    assert entries[0].data == {
        "template_id": v1.id,
        "name": "Std",
        "version": 2,
        "sha256": v2.sha256,
    }
    with pytest.raises(NotFound):
        templates.edit_template(ctx, by=admin, template_id="wvt_nope", text="x")


def test_only_managers_edit_templates(ctx) -> None:
    deckhand = f.crew(ctx, Role.CREW)
    with pytest.raises(Forbidden):
        templates.create_template(ctx, by=deckhand, name="Std", text="x")


def test_event_template_must_exist(ctx) -> None:
    admin = f.crew(ctx)
    with pytest.raises(Invalid) as err:
        f.event(ctx, admin, waiver_template_id="wvt_nope")
    assert err.value.details == {"waiver_template_id": "wvt_nope"}
    event = f.event(ctx, admin)
    with pytest.raises(Invalid):
        events.update_event(
            ctx, by=admin, event_id=event.id, changes={"waiver_template_id": "wvt_nope"}
        )
    t = templates.create_template(ctx, by=admin, name="Std", text="x")
    updated = events.update_event(
        ctx, by=admin, event_id=event.id, changes={"waiver_template_id": t.id}
    )
    assert updated.event.waiver_template_id == t.id
    assert ctx.store.get_event(event.id).waiver_template_id == t.id


def test_sign_waiver_records_everything_in_one_write(ctx) -> None:
    _admin, template, event, booking = _setup(ctx)
    signed, sig = waivers.sign_waiver(
        ctx,
        booking=booking,
        req=_req(template, minor=True, guardian_name="Sam Doe", guardian_relationship="Parent"),
        ip="203.0.113.9",
        user_agent="TestBrowser/1.0",
    )
    stored = ctx.store.get_booking(event.id, booking.patron_id)
    assert stored == signed
    assert (stored.waiver_kind, stored.waiver_signature_id, stored.waiver_at) == (
        WaiverKind.ELECTRONIC,
        sig.id,
        ctx.now(),
    )
    assert stored.waiver_by == f"guest:{booking.patron_id}"
    assert ctx.store.get_waiver_signature(sig.id) == sig
    assert (sig.template_id, sig.template_version, sig.template_sha256) == (
        template.id,
        1,
        template.sha256,
    )
    assert (sig.signer_name, sig.guardian_name, sig.guardian_relationship) == (
        "Pat Doe",
        "Sam Doe",
        "Parent",
    )
    assert (sig.ip, sig.user_agent) == ("203.0.113.9", "TestBrowser/1.0")
    # Stored as decoded and encoded again: the same pixels, as a plain PNG.
    assert sig.signature_png == reencode_signature(w.png())
    assert _pixels(sig.signature_png) == _pixels(w.png())
    entry = ctx.store.list_audit(event_id=event.id)[0]
    assert (entry.action, entry.actor, entry.actor_name) == (
        "waiver.signed",
        f"guest:{booking.patron_id}",
        "Sam Doe",
    )
    assert entry.data["signature_id"] == sig.id and entry.data["sha256"] == template.sha256
    with pytest.raises(Conflict, match="already on file"):
        waivers.sign_waiver(ctx, booking=booking, req=_req(template), ip="", user_agent="")


def test_sign_refuses_changed_text_and_bad_input(ctx, clock) -> None:
    admin, template, event, booking = _setup(ctx)
    with pytest.raises(Conflict, match="changed"):
        waivers.sign_waiver(
            ctx, booking=booking, req=_req(template, template_sha256="0" * 64), ip="", user_agent=""
        )
    templates.edit_template(ctx, by=admin, template_id=template.id, text="New text")
    with pytest.raises(Conflict, match="changed"):
        waivers.sign_waiver(ctx, booking=booking, req=_req(template), ip="", user_agent="")
    latest = templates.get_template(ctx, template_id=template.id)
    with pytest.raises(Invalid):
        waivers.sign_waiver(
            ctx, booking=booking, req=_req(latest, signer_name="  "), ip="", user_agent=""
        )
    with pytest.raises(Invalid):
        waivers.sign_waiver(
            ctx, booking=booking, req=_req(latest, signature_png=b"nope"), ip="", user_agent=""
        )
    with pytest.raises(Invalid):
        waivers.sign_waiver(
            ctx, booking=booking, req=_req(latest, minor=True), ip="", user_agent=""
        )
    assert ctx.store.get_booking(event.id, booking.patron_id) == booking
    roster.cancel_booking(ctx, by=admin, event_id=event.id, patron_id=booking.patron_id)
    with pytest.raises(Conflict, match="cancelled"):
        waivers.sign_waiver(ctx, booking=booking, req=_req(latest), ip="", user_agent="")


def test_pdf_only_for_electronic_waivers(ctx) -> None:
    admin, template, event, booking = _setup(ctx)
    with pytest.raises(NotFound):
        waivers.crew_waiver_pdf(ctx, event_id=event.id, patron_id=booking.patron_id)
    other = f.booking(ctx, admin, event.id, name="Paper Person")
    attendance.confirm_paper_waiver(ctx, by=admin, event_id=event.id, patron_id=other.patron_id)
    with pytest.raises(NotFound):
        waivers.crew_waiver_pdf(ctx, event_id=event.id, patron_id=other.patron_id)
    waivers.sign_waiver(ctx, booking=booking, req=_req(template), ip="1.2.3.4", user_agent="UA")
    pdf = waivers.crew_waiver_pdf(ctx, event_id=event.id, patron_id=booking.patron_id)
    assert pdf.startswith(b"%PDF-")


def test_guest_token_lookup(ctx) -> None:
    _admin, _t, _e, booking = _setup(ctx)
    assert waivers.booking_for_token(ctx, token=booking.guest_token) == booking
    for bad in ("short", "x" * 65, booking.guest_token[:-1] + "!", "A" * 32):
        with pytest.raises(NotFound):
            waivers.booking_for_token(ctx, token=bad)


def _png(depth: int, colour: int) -> bytes:
    """A 4x2 PNG whose chunks, CRCs and sizes are right, with this bit depth and colour
    type: the structural checks pass whatever the pair."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
    rows = b"".join(b"\x00" + b"\x00" * ((4 * channels * depth + 7) // 8) for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 2, depth, colour, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def test_signatures_are_decoded_refused_when_they_cannot_be_and_old_ones_render(ctx) -> None:
    from shipcaptaincrew.domain.waivers import check_signature_png

    admin, template, event, booking = _setup(ctx)
    wrong_depth = _png(4, 2)  # RGB allows 8 or 16 bits
    no_palette = _png(8, 3)  # a palette image without its PLTE chunk
    assert check_signature_png(wrong_depth) == check_signature_png(no_palette) == (4, 2)
    with pytest.raises(Invalid) as err:
        waivers.sign_waiver(
            ctx, booking=booking, req=_req(template, signature_png=wrong_depth), ip="",
            user_agent="",
        )  # fmt: skip
    assert err.value.message == (
        "The signature image is not usable: the image cannot be decoded "
        "(UnidentifiedImageError); please sign again."
    )
    assert ctx.store.get_booking(event.id, booking.patron_id).waiver_signed is False
    # Decoded and encoded again, the palette image is stored as one every reader can draw.
    signed, sig = waivers.sign_waiver(
        ctx, booking=booking, req=_req(template, signature_png=no_palette), ip="", user_agent=""
    )
    assert sig.signature_png != no_palette
    assert b"unreadable" not in waivers.waiver_pdf(ctx, booking=signed)
    # A record stored before signing decoded images: its PDF renders with a note.
    pdf = render_waiver_pdf(
        WaiverPdfData(
            org_name="Org",
            event_title=event.title,
            event_starts_at=event.starts_at,
            patron_name=signed.patron_name,
            template=template,
            signature=dataclasses.replace(sig, signature_png=wrong_depth),
            timezone="UTC",
        )
    )
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "[Signature image unreadable]" in text
    assert signed.patron_name in text
