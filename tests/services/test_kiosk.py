"""Waiver kiosks and seats through the real use cases on SQLite: who may start one, when it
ends in the organisation's time zone, what its search shows, and signing seats in turn."""

from __future__ import annotations

import dataclasses

import pytest

from shipcaptaincrew.domain.errors import Conflict, Forbidden, NotFound
from shipcaptaincrew.domain.models import Role, WaiverKind
from shipcaptaincrew.services import kiosk, roster, seats, waivers
from shipcaptaincrew.services import waiver_templates as templates
from shipcaptaincrew.services.context import Context
from tests import factories as f
from tests import waiver_factories as w
from tests.conftest import make_settings


def _req(template, name: str, **kw) -> waivers.SignRequest:
    return waivers.SignRequest(template.id, template.version, template.sha256, name, w.png(), **kw)


def test_only_managers_start_kiosks_and_they_end_at_local_midnight(ctx, clock, tmp_path) -> None:
    ny = Context(ctx.store, make_settings(tmp_path, SCC_TIMEZONE="America/New_York"), clock)
    admin, crew = f.crew(ny), f.crew(ny, Role.CREW, "crew@example.org")
    event = f.event(ny, admin)
    with pytest.raises(Forbidden):
        kiosk.start_kiosk(ny, by=crew, event_id=event.id)
    # 12:00 UTC on 1 July is 08:00 in New York: the kiosk ends at 04:00 UTC on 2 July
    started = kiosk.start_kiosk(ny, by=admin, event_id=event.id)
    assert started.kiosk.expires_at.isoformat() == "2026-07-02T04:00:00+00:00"
    assert started.path == f"/g/kiosk/{started.token}"
    assert started.kiosk.token_hash != started.token and started.token not in str(
        ny.store.list_audit(event_id=event.id)[0].data
    )
    clock.advance(hours=15, minutes=59)
    assert kiosk.kiosk_for_token(ny, token=started.token) == started.kiosk
    clock.advance(minutes=1)
    with pytest.raises(NotFound):
        kiosk.kiosk_for_token(ny, token=started.token)


def test_search_shows_only_booked_parties_of_its_event(ctx) -> None:
    admin = f.crew(ctx)
    event = f.event(ctx, admin, capacity=3)
    f.booking(ctx, admin, event.id, name="Ann Seaworth", party_size=3)
    f.booking(ctx, admin, event.id, name="Wes Seafarer")  # waitlisted: no room
    gone = f.booking(ctx, admin, event.id, name="Cy Seaman", party_size=1)
    roster.cancel_booking(ctx, by=admin, event_id=event.id, patron_id=gone.patron_id)
    token = kiosk.start_kiosk(ctx, by=admin, event_id=event.id).token
    found = kiosk.search(ctx, token=token, query="sea")
    assert [(m.first_names, m.party_size, m.to_sign) for m in found.matches] == [("Ann", 3, 3)]


def test_seats_sign_in_turn_and_complete_the_waiver(ctx) -> None:
    admin = f.crew(ctx)
    template = templates.create_template(ctx, by=admin, name="Std", text=w.WAIVER_TEXT)
    event = f.event(ctx, admin, waiver_template_id=template.id)
    booking = f.booking(ctx, admin, event.id, name="Ann Seaworth", party_size=2)
    signed, sig = waivers.sign_waiver(
        ctx, booking=booking, req=_req(template, "Ann Seaworth"), ip="1.2.3.4", user_agent="UA"
    )
    assert (sig.seat, signed.waivers_signed, signed.waiver_kind) == (1, 1, None)
    with pytest.raises(Conflict):
        waivers.sign_waiver(
            ctx, booking=signed, req=_req(template, "X"), ip="", user_agent="", seat=1
        )
    view = seats.record_paper_seat(
        ctx, by=admin, event_id=event.id, patron_id=booking.patron_id, no=2
    )
    done = view.booking
    assert (done.waivers_signed, done.waiver_kind, done.waiver_signature_id) == (
        2,
        WaiverKind.ELECTRONIC,
        sig.id,
    )
    pdf = waivers.waiver_pdf(ctx, booking=done)
    assert pdf.count(b"/Type /Page\n") == 1  # one person signed online, one on paper
    with pytest.raises(Conflict):
        waivers.sign_waiver(ctx, booking=done, req=_req(template, "Y"), ip="", user_agent="")
    legacy = dataclasses.replace(done, seats=(), party_size=4)
    assert legacy.waivers_signed == 4
