"""Reading the previous system's items: DynamoDB JSON, mappings, flags, times and prices."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from shipcaptaincrew.domain.errors import Invalid
from shipcaptaincrew.domain.legacy import (
    LegacyMapping,
    items_from_text,
    mapping_from_dict,
    plain,
    plain_item,
)
from shipcaptaincrew.domain.legacy_events import LegacyParticipant, flag, legacy_event, when

NY = ZoneInfo("America/New_York")
M = LegacyMapping()


def test_plain_reads_every_dynamodb_type() -> None:
    value = {
        "M": {
            "s": {"S": "x"},
            "n": {"N": "45"},
            "d": {"N": "45.50"},
            "b": {"BOOL": False},
            "z": {"NULL": True},
            "l": {"L": [{"N": "1"}, {"S": "two"}]},
            "ss": {"SS": ["a", "b"]},
            "ns": {"NS": ["1", "2.5"]},
            "bin": {"B": "aGk="},
        }
    }
    assert plain(value) == {
        "s": "x",
        "n": 45,
        "d": Decimal("45.50"),
        "b": False,
        "z": None,
        "l": [1, "two"],
        "ss": ["a", "b"],
        "ns": [1, Decimal("2.5")],
        "bin": b"hi",
    }
    with pytest.raises(Invalid, match="not a DynamoDB attribute value"):
        plain({"X": "1"})


def test_plain_item_passes_plain_json_through_and_refuses_non_items() -> None:
    assert plain_item({"event_id": {"S": "e1"}}) == {"event_id": "e1"}
    assert plain_item({"event_id": "e1", "price": 10}) == {"event_id": "e1", "price": 10}
    for bad in ([], "x", {}):
        with pytest.raises(Invalid, match="not an item"):
            plain_item(bad)


def test_items_from_scan_output_and_from_export_lines() -> None:
    scan = '{"Items": [{"event_id": {"S": "a"}}, {"event_id": {"S": "b"}}], "Count": 2}'
    assert list(items_from_text(scan)) == [
        ("item 1", {"event_id": {"S": "a"}}),
        ("item 2", {"event_id": {"S": "b"}}),
    ]
    assert list(items_from_text('[{"event_id": "a"}]')) == [("item 1", {"event_id": "a"})]
    export = '{"Item": {"event_id": {"S": "a"}}}\n\n{not json\n{"event_id": {"S": "c"}}\n'
    found = list(items_from_text(export))
    assert found[0] == ("line 1", {"event_id": {"S": "a"}})
    assert found[1][0] == "line 3" and isinstance(found[1][1], Invalid)
    assert found[1][1].message.startswith("not JSON")
    assert found[2] == ("line 4", {"event_id": {"S": "c"}})


def test_mapping_from_a_file_replaces_only_the_fields_it_names() -> None:
    m = mapping_from_dict(
        {
            "event_id": "trip",
            "starts_at": ["when", "date"],
            "timezone": "America/New_York",
            "participant": {"id": "pid", "payment": "has_paid"},
        }  # fmt: skip
    )
    assert m.event_id == ("trip",)
    assert m.starts_at == ("when", "date")
    assert m.participant_id == ("pid",)
    assert m.payment == ("has_paid",)
    assert m.timezone == "America/New_York"
    assert m.title == M.title
    assert m.attendance == M.attendance


@pytest.mark.parametrize(
    "data,message",
    [
        ({"colour": "x"}, "Unknown field 'colour' in the mapping."),
        ({"participant": {"shoe": "x"}}, "Unknown participant field 'shoe' in the mapping."),
        ({"participant": "x"}, "The mapping's participant entry must be a table of names."),
        ({"title": 3}, "The mapping's title must be an attribute name or a list of names."),
        ({"title": [""]}, "The mapping's title must be an attribute name or a list of names."),
        ({"timezone": 1}, "The mapping's timezone must be a name such as America/New_York."),
    ],
)
def test_bad_mappings_say_what_is_wrong(data: dict, message: str) -> None:
    with pytest.raises(Invalid) as err:
        mapping_from_dict(data)
    assert err.value.message == message


@pytest.mark.parametrize(
    "value,expected",
    [
        (None, False),
        (True, True),
        (False, False),
        (1, True),
        (Decimal(0), False),
        ("yes", True),
        ("Checked_In", True),
        ("signed", True),
        ("no", False),
        ("", False),
        ("no-show", False),
        ("2026-07-04T18:05:00Z", True),
        ([], False),
        (["sig-1"], True),
        ({"checked_in": True, "at": "2026-07-04"}, True),
        ({"signed": False}, False),
        ({"signed_at": "2026-07-01"}, True),
        ({"signed_at": None}, False),
        ({}, False),
    ],
)
def test_flags_read_the_shapes_records_use(value: object, expected: bool) -> None:
    assert flag(value, "attendance") is expected


def test_a_flag_that_is_neither_yes_nor_no_is_refused() -> None:
    with pytest.raises(Invalid) as err:
        flag("maybe", "waiver")
    assert err.value.message == "waiver 'maybe' is neither yes nor no"


def test_times_with_offsets_without_offsets_dates_and_epochs() -> None:
    utc = datetime(2026, 7, 4, 22, 0, tzinfo=UTC)
    assert when("2026-07-04T18:00:00-04:00", "start", NY) == utc
    assert when("2026-07-04T22:00:00Z", "start", NY) == utc
    assert when("2026-07-04T18:00:00", "start", NY) == utc
    assert when("2026-07-04", "start", NY) == datetime(2026, 7, 4, 4, 0, tzinfo=UTC)
    assert when(int(utc.timestamp()), "start", NY) == utc
    assert when(Decimal(int(utc.timestamp()) * 1000), "start", NY) == utc
    for bad in ("soon", True, None, "2026-13-40"):
        with pytest.raises(Invalid, match="is not a date or time"):
            when(bad, "start", NY)


def _item(**kw: object) -> dict:
    return {
        "event_id": "e1",
        "title": "Sunset",
        "date": "2026-07-04T18:00:00-04:00",
        "price": Decimal("45.5"),
        "participants": [],
        **kw,
    }


def test_event_fields_and_defaults() -> None:
    e = legacy_event(_item(location="Pier 3", capacity=12, currency="usd"), M, NY)
    assert (e.legacy_id, e.title, e.location, e.capacity, e.currency) == (
        "e1", "Sunset", "Pier 3", 12, "USD",
    )  # fmt: skip
    assert e.starts_at == datetime(2026, 7, 4, 22, 0, tzinfo=UTC)
    assert e.price_cents == 4550
    assert e.ends_at is None
    bare = legacy_event(_item(title=None, price=0), M, NY)
    assert (bare.title, bare.location, bare.capacity, bare.currency, bare.price_cents) == (
        "Event e1", "", None, None, 0,
    )  # fmt: skip
    assert legacy_event(_item(price_cents=4500, price=1), M, NY).price_cents == 4500
    assert legacy_event(_item(price="$1,045.00"), M, NY).price_cents == 104500


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"event_id": None}, f"no event id (looked for {', '.join(M.event_id)})"),
        ({"date": None}, f"no start time (looked for {', '.join(M.starts_at)})"),
        ({"date": "someday"}, "start 'someday' is not a date or time"),
        ({"price": None}, f"no price (looked for {', '.join(M.price_cents + M.price)})"),
        ({"price": "free"}, "price 'free' is not an amount"),
        ({"price": Decimal("1.005")}, "price Decimal('1.005') is not an amount in whole cents"),
        ({"price": -5}, "Amount must be more than zero."),
        ({"participants": "everyone"}, "participants is neither a list nor a map: 'everyone'"),
        ({"end": "2026-07-04T17:00:00-04:00"}, "The event must end after it starts."),
        ({"capacity": 0}, "Capacity must be between 1 and 10000."),
        ({"currency": "DOLLARS"}, "Unknown currency 'DOLLARS'."),
    ],
)
def test_unreadable_events_say_why(changes: dict, message: str) -> None:
    with pytest.raises(Invalid) as err:
        legacy_event(_item(**changes), M, NY)
    assert err.value.message == message


def test_participants_from_a_list_or_a_map_and_what_is_skipped() -> None:
    people = [
        {"patron_id": "p1", "name": "Ann", "email": "Ann@Example.com", "party_size": 2,
         "attendance": True, "waiver": {"signed": True}, "payment_cleared": True},
        {"patron_id": "p2", "name": "Bo"},
        {"patron_id": "p3", "name": "Cy", "party_size": "lots"},
        {"patron_id": "p1", "name": "Ann again", "email": "x@example.com"},
        {"name": "No id"},
        "junk",
        {"patron_id": "p4", "name": "Di", "attendance": "perhaps"},
    ]  # fmt: skip
    e = legacy_event(_item(participants=people), M, NY)
    assert e.participants == (
        LegacyParticipant("p1", "Ann", "ann@example.com", "", 2, True, True, True),
        LegacyParticipant("p2", "Bo", "e1.p2@no-email.example", "", 1, False, False, False),
    )
    assert not e.participants[1].has_email
    assert e.skipped == (
        ("participant 3", "party size 'lots' is not a whole number"),
        ("participant 4 (p1)", "appears twice in this event"),
        ("participant 5", f"no participant id (looked for {', '.join(M.participant_id)})"),
        ("participant 6", "not a participant record: 'junk'"),
        ("participant 7", "attendance 'perhaps' is neither yes nor no"),
    )
    keyed = legacy_event(_item(participants={"p9": {"name": "Ed", "email": "ed@x.org"}}), M, NY)
    assert [(p.legacy_id, p.email) for p in keyed.participants] == [("p9", "ed@x.org")]


def test_a_bare_date_takes_its_time_of_day_from_the_time_attribute() -> None:
    def start(**kw: object) -> datetime:
        return legacy_event(_item(**kw), M, NY).starts_at

    assert start(date="2026-07-04", time="18:30") == datetime(2026, 7, 4, 22, 30, tzinfo=UTC)
    assert start(date="2026-07-04", time="6:30 PM") == datetime(2026, 7, 4, 22, 30, tzinfo=UTC)
    assert start(date="2026-07-04", start_time="2026-07-04T18:30:00-04:00") == datetime(
        2026, 7, 4, 22, 30, tzinfo=UTC
    )
    with pytest.raises(Invalid, match="start 'teatime' is not a date or time"):
        start(date="2026-07-04", time="teatime")


def test_waiver_references_count_as_on_file_and_other_name_styles_are_read() -> None:
    people = [
        {"patronId": "p1", "firstName": "Ann", "lastName": "Lee", "emailAddress": "a@x.org",
         "partySize": 3, "checkedIn": "yes", "waiver": "waivers/p1.pdf",
         "paymentCleared": {"cleared": True, "by": "crew"}},
        {"patron_id": "p2", "name": "Bo", "waiver": {"signature_ref": "sig_1"},
         "attendance": {"status": "not_checked_in"}},
        {"patron_id": "p3", "name": "Cy", "waiver": "unsigned", "attendance": "maybe"},
    ]  # fmt: skip
    e = legacy_event(_item(eventId="E9", event_id=None, participants=people), M, NY)
    assert e.legacy_id == "E9"
    assert e.participants[0] == LegacyParticipant(
        "p1", "Ann Lee", "a@x.org", "", 3, True, True, True
    )
    assert (e.participants[1].waiver, e.participants[1].checked_in) == (True, False)
    assert e.skipped == (("participant 3", "attendance 'maybe' is neither yes nor no"),)
