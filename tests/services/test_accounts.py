"""Sign-in throttling and the account lifecycle through the use cases on SQLite."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from shipcaptaincrew.domain import accounts as rules
from shipcaptaincrew.domain.errors import (
    DomainError,
    Forbidden,
    Invalid,
    TooManyAttempts,
    Unauthenticated,
)
from shipcaptaincrew.domain.models import Role
from shipcaptaincrew.services import accounts, auth
from tests import factories as f


def _try(ctx, email: str, password: str, ip: str) -> str:
    try:
        auth.login(ctx, email=email, password=password, ip=ip)
        return "ok"
    except DomainError as err:
        return err.code


def _fill(ctx, email: str, ip: str, places: int) -> None:
    """Wrong guesses at ``email`` from ``ip``, taken as login takes them (the slow hash and
    its audit entry are the parallel test's)."""
    for _ in range(places):
        assert ctx.store.take_login_attempt(rules.attempt_slots(email, ip, ctx.now())) is None


def _failed(ctx) -> int:
    return sum(1 for e in ctx.store.list_audit(limit=1000) if e.action == "login.failed")


def test_hundred_parallel_guesses_judge_at_most_five_passwords(ctx) -> None:
    """The review's reproduction: 100 sign-ins at once to one account from one address."""
    f.crew_fast(ctx, Role.ADMIN, "boss@example.org")
    with ThreadPoolExecutor(max_workers=32) as pool:
        codes = list(
            pool.map(
                lambda i: _try(ctx, "boss@example.org", f"guess-{i}", "203.0.113.9"), range(100)
            )
        )
    assert codes.count("unauthenticated") == 5
    assert codes.count("too_many_attempts") == 95
    assert _failed(ctx) == 5


def test_wrong_guesses_from_one_address_never_lock_the_owner_elsewhere(ctx, clock) -> None:
    f.crew_fast(ctx, Role.ADMIN, "boss@example.org")
    _fill(ctx, "boss@example.org", "198.51.100.7", rules.PAIR_LIMIT)
    with pytest.raises(TooManyAttempts) as refused:
        auth.login(ctx, email="boss@example.org", password=f.PASSWORD, ip="198.51.100.7")
    assert refused.value.retry_after_s == 900
    assert str(refused.value) == (
        "Too many failed sign-ins for this account from your address. Try again in 15 "
        "minutes, or ask an admin to unlock it."
    )
    signed = auth.login(ctx, email="boss@example.org", password=f.PASSWORD, ip="192.0.2.1")
    assert signed.session.address == "192.0.2.1"
    clock.advance(minutes=15)
    assert _try(ctx, "boss@example.org", f.PASSWORD, "198.51.100.7") == "ok"


def _fill_address(ctx, ip: str, places: int) -> None:
    """Failed guesses from ``ip`` at other accounts (taken as login does, without the hash)."""
    for i in range(places):
        _fill(ctx, f"nobody{i}@example.org", ip, 1)


def test_an_address_is_held_back_longer_after_many_failures(ctx, clock) -> None:
    f.crew_fast(ctx, Role.CREW, "deck@example.org")
    _fill_address(ctx, "203.0.113.5", rules.ADDRESS_LIMIT - 1)
    assert _try(ctx, "nobody@example.org", "wrong", "203.0.113.5") == "unauthenticated"
    with pytest.raises(TooManyAttempts) as refused:
        auth.login(ctx, email="deck@example.org", password=f.PASSWORD, ip="203.0.113.5")
    assert refused.value.retry_after_s == 3600
    assert str(refused.value).startswith("Too many failed sign-ins from your address.")
    assert _try(ctx, "deck@example.org", f.PASSWORD, "192.0.2.1") == "ok"
    clock.advance(minutes=30)
    assert _try(ctx, "deck@example.org", f.PASSWORD, "203.0.113.5") == "too_many_attempts"
    assert accounts.unlock(ctx, by=None, address="203.0.113.5") == rules.ADDRESS_LIMIT
    assert _try(ctx, "deck@example.org", f.PASSWORD, "203.0.113.5") == "ok"


def test_successful_sign_ins_do_not_count_against_a_shared_address(ctx) -> None:
    f.crew_fast(ctx, Role.CREW, "deck@example.org")
    _fill_address(ctx, "10.1.1.1", rules.ADDRESS_LIMIT - 1)
    for _ in range(2):
        assert _try(ctx, "deck@example.org", f.PASSWORD, "10.1.1.1") == "ok"


def test_unlock_is_for_admins_and_audited(ctx) -> None:
    admin = f.crew_fast(ctx, Role.ADMIN, "boss@example.org")
    captain = f.crew_fast(ctx, Role.CAPTAIN, "cap@example.org")
    _fill(ctx, "cap@example.org", "198.51.100.7", rules.PAIR_LIMIT)
    with pytest.raises(Forbidden):
        accounts.unlock(ctx, by=captain, email="cap@example.org")
    assert accounts.unlock(ctx, by=admin, email="CAP@example.org") == rules.PAIR_LIMIT
    entry = ctx.store.list_audit(limit=1)[0]
    assert (entry.action, entry.actor, entry.subject) == (
        "crew.unlocked",
        f"crew:{admin.id}",
        "account:cap@example.org",
    )
    assert _try(ctx, "cap@example.org", f.PASSWORD, "198.51.100.7") == "ok"
    with pytest.raises(Invalid):
        accounts.unlock(ctx, by=admin)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-pw", "Password must be at least 12 characters."),
        (
            "password1234",
            "This password is too common or too easy to guess. This is a very common "
            "password. Try a few unrelated words, or a longer phrase.",
        ),
        (
            "abcabcabcabcabc",
            'This password is too common or too easy to guess. Repeats like "abcabcabc" are '
            'only slightly harder to guess than "abc". Try a few unrelated words, or a longer '
            "phrase.",
        ),
    ],
)
def test_weak_passwords_are_refused_with_a_clear_message(ctx, password, message) -> None:
    with pytest.raises(Invalid) as refused:
        auth.create_crew(
            ctx,
            actor=auth.SIGN_IN,
            name="Ann",
            email="a@example.org",
            role=Role.CREW,
            password=password,
        )
    assert str(refused.value) == message
    assert refused.value.details == {"field": "password"}
    assert ctx.store.list_crew() == []


def test_who_may_change_what(ctx) -> None:
    admin = f.crew_fast(ctx, Role.ADMIN, "boss@example.org")
    captain = f.crew_fast(ctx, Role.CAPTAIN, "cap@example.org")
    other_captain = f.crew_fast(ctx, Role.CAPTAIN, "cap2@example.org")
    deck = f.crew_fast(ctx, Role.CREW, "deck@example.org")
    with pytest.raises(Forbidden, match="Only an admin can change a role."):
        accounts.set_role(ctx, by=captain, crew_id=deck.id, role=Role.CAPTAIN)
    with pytest.raises(Forbidden, match="Captains manage crew accounts only"):
        accounts.set_active(ctx, by=captain, crew_id=other_captain.id, active=False)
    with pytest.raises(Forbidden, match="Captains manage crew accounts only"):
        accounts.set_password(ctx, by=captain, crew_id=admin.id)
    with pytest.raises(Forbidden, match="Only an admin or a captain"):
        accounts.set_active(ctx, by=deck, crew_id=deck.id, active=False)
    with pytest.raises(Forbidden, match="You cannot deactivate or reactivate your own"):
        accounts.set_active(ctx, by=admin, crew_id=admin.id, active=False)
    with pytest.raises(Forbidden, match="You cannot change the role of your own"):
        accounts.set_role(ctx, by=admin, crew_id=admin.id, role=Role.CREW)
    assert ctx.store.get_crew(admin.id) == admin
    assert accounts.set_active(ctx, by=captain, crew_id=deck.id, active=False).active is False
    promoted = accounts.set_role(ctx, by=admin, crew_id=deck.id, role=Role.CAPTAIN)
    assert promoted.role == Role.CAPTAIN
    entry = ctx.store.list_audit(limit=1)[0]
    assert (entry.action, entry.actor, entry.data) == (
        "crew.role_changed",
        f"crew:{admin.id}",
        {"from": "crew", "to": "captain"},
    )


def test_password_change_ends_every_other_session(ctx, clock) -> None:
    deck = f.crew(ctx, Role.CREW, "deck@example.org")
    here = auth.login(ctx, email="deck@example.org", password=f.PASSWORD, ip="10.0.0.1")
    there = auth.login(ctx, email="deck@example.org", password=f.PASSWORD, ip="10.0.0.2")
    with pytest.raises(Invalid, match="Your current password is wrong."):
        accounts.change_own_password(
            ctx, crew=deck, session=here.session, current="nope", new="a-brand-new-phrase"
        )
    accounts.change_own_password(
        ctx, crew=deck, session=here.session, current=f.PASSWORD, new="a-brand-new-phrase"
    )
    assert auth.authenticate(ctx, token=here.token)[0].token_hash == here.session.token_hash
    with pytest.raises(Unauthenticated):
        auth.authenticate(ctx, token=there.token)
    entry = ctx.store.list_audit(limit=1)[0]
    assert (entry.action, entry.actor, entry.data) == (
        "crew.password_changed",
        f"crew:{deck.id}",
        {"sessions_ended": 1},
    )
    assert _try(ctx, "deck@example.org", "a-brand-new-phrase", "10.0.0.3") == "ok"


def test_sessions_note_their_last_use_at_most_once_a_minute(ctx, clock) -> None:
    f.crew(ctx, Role.CREW, "deck@example.org")
    signed = auth.login(ctx, email="deck@example.org", password=f.PASSWORD, ip="10.0.0.1")
    start = clock.now
    clock.advance(seconds=30)
    session, _ = auth.authenticate(ctx, token=signed.token, ip="10.0.0.1")
    assert session.last_used_at == start
    clock.advance(seconds=31)
    auth.authenticate(ctx, token=signed.token, ip="10.0.0.1")
    stored = ctx.store.get_session(signed.session.token_hash)
    assert (stored.last_used_at, stored.address) == (start + timedelta(seconds=61), "10.0.0.1")
