"""``scc user`` and the demo-password warning of ``scc serve``, on a real SQLite file."""

from __future__ import annotations

import os
import socket

import pytest
from typer.testing import CliRunner

from shipcaptaincrew.cli import app
from shipcaptaincrew.demo import DEMO_PASSWORD


@pytest.fixture
def scc(tmp_path, monkeypatch):
    for key in [k for k in os.environ if k.startswith(("SCC_", "AWS_"))]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("SCC_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.chdir(tmp_path)

    def run(*args: str, code: int = 0, **env: str) -> str:
        result = CliRunner().invoke(app, list(args), env=env or None)
        assert result.exit_code == code, (result.output, result.exception)
        return result.output

    run("init-db")
    run(
        "create-user",
        "--email",
        "deck@example.org",
        "--name",
        "Deck Hand",
        SCC_NEW_USER_PASSWORD="correct-horse-battery",
    )
    return run


def test_list_deactivate_activate(scc) -> None:
    assert scc("user", "list") == "deck@example.org\tcrew\tactive\tDeck Hand\n"
    assert scc("user", "deactivate", "Deck@Example.org") == (
        "Deactivated deck@example.org; their sessions ended.\n"
    )
    assert scc("user", "list") == "deck@example.org\tcrew\tdeactivated\tDeck Hand\n"
    assert scc("user", "activate", "deck@example.org") == "Activated deck@example.org.\n"
    assert scc("user", "list") == "deck@example.org\tcrew\tactive\tDeck Hand\n"


def test_passwd_checks_the_policy_and_can_force_a_change(scc) -> None:
    out = scc("user", "passwd", "deck@example.org", code=1, SCC_NEW_USER_PASSWORD="password1234")
    assert out.startswith("This password is too common or too easy to guess.")
    out = scc(
        "user",
        "passwd",
        "deck@example.org",
        "--temporary",
        SCC_NEW_USER_PASSWORD="tide-chart-lantern-42",
    )
    assert out == (
        "Password set for deck@example.org; their sessions ended. They must choose a new one "
        "at next sign-in.\n"
    )
    assert scc("user", "list") == (
        "deck@example.org\tcrew\tactive, must change password\tDeck Hand\n"
    )


def test_unknown_email_is_one_line_and_exit_2(scc) -> None:
    for command in ("deactivate", "activate", "passwd", "unlock"):
        out = scc("user", command, "nobody@example.org", code=2, SCC_NEW_USER_PASSWORD="x")
        assert out == "No crew member with this email.\n"


def test_unlock(scc) -> None:
    assert scc("user", "unlock", "deck@example.org") == "Unlocked; 0 failed sign-ins cleared.\n"
    out = scc("user", "unlock", "--address", "203.0.113.9")
    assert out == "Unlocked; 0 failed sign-ins cleared.\n"
    assert scc("user", "unlock", code=1) == "Name an account's email or an address to unlock.\n"


def test_serve_warns_of_the_published_demo_password_on_https(scc) -> None:
    scc(
        "create-user",
        "--email",
        "admin@demo.shipcaptaincrew.test",
        "--name",
        "Morgan Reyes",
        "--role",
        "admin",
        SCC_NEW_USER_PASSWORD=DEMO_PASSWORD,
    )
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        public = "https://boats.example.org"
        out = scc("serve", "--port", port, code=2, SCC_PUBLIC_URL=public)
        lines = out.splitlines()
        assert lines[0] == (
            "WARNING: 1 demo account(s) (admin@demo.shipcaptaincrew.test, ...) sign in with the "
            "published demo password at https://boats.example.org: run scc demo --remove."
        )
        assert lines[1].startswith("Cannot listen on")
        out = scc("serve", "--port", port, code=2)  # plain http: a local trial, no warning
        assert not out.startswith("WARNING")
        scc(
            "user",
            "passwd",
            "admin@demo.shipcaptaincrew.test",
            SCC_NEW_USER_PASSWORD="tide-chart-lantern-42",
        )
        out = scc("serve", "--port", port, code=2, SCC_PUBLIC_URL=public)
        assert out.startswith("Cannot listen on")
