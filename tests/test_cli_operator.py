"""What an operator sees when something is wrong: one line, what to do, the right exit code,
no traceback (unless --debug). Real SQLite files, a closed PostgreSQL port, real processes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from shipcaptaincrew import __version__
from shipcaptaincrew.cli import app
from shipcaptaincrew.config import SettingsError


@pytest.fixture
def env(tmp_path, monkeypatch) -> dict[str, str]:
    for key in [k for k in os.environ if k.startswith(("SCC_", "AWS_"))]:
        monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCC_VAR_DIR", str(tmp_path / "var"))
    return {"SCC_VAR_DIR": str(tmp_path / "var")}


def scc(env: dict[str, str], *args: str, code: int, **more: str) -> str:
    result = CliRunner().invoke(app, list(args), env={**env, **more})
    assert result.exit_code == code, (result.output, result.exception)
    return result.output


def python_m(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m shipcaptaincrew`` as its own process: what the operator's terminal shows."""
    full = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, "-m", "shipcaptaincrew", *args],
        env=full,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_version(env) -> None:
    assert scc(env, "--version", code=0) == f"shipcaptaincrew {__version__}\n"
    done = python_m(env, "--version")
    assert (done.returncode, done.stdout, done.stderr) == (
        0,
        f"shipcaptaincrew {__version__}\n",
        "",
    )


def test_a_bad_setting_is_one_line_and_exit_2(env) -> None:
    done = python_m({**env, "SCC_SESSION_HOURS": "0"}, "init-db")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "SCC_SESSION_HOURS must be a whole number from 1 to 168 "
        "(fix the setting and run the command again).\n"
    )


def test_debug_shows_the_error_itself(env) -> None:
    result = CliRunner().invoke(app, ["--debug", "init-db"], env={**env, "SCC_SESSION_HOURS": "0"})
    assert isinstance(result.exception, SettingsError)
    done = python_m({**env, "SCC_SESSION_HOURS": "0"}, "--debug", "init-db")
    assert done.returncode == 1 and "Traceback" in done.stderr


def test_an_unreachable_database_is_one_line_and_exit_1(env) -> None:
    done = python_m({**env, "SCC_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/scc"}, "init-db")
    assert done.returncode == 1
    assert done.stderr == (
        'Cannot reach the database (connection failed: connection to server at "127.0.0.1", '
        "port 1 failed: Connection refused). Check SCC_DATABASE_URL and that the database "
        "server is running.\n"
    )


def test_a_missing_driver_names_the_extra(env, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if the extra were not installed
    out = scc(env, "init-db", code=2, SCC_DATABASE_URL="postgresql://postgres@127.0.0.1:1/scc")
    assert out == (
        "PostgreSQL needs the psycopg package: pip install 'shipcaptaincrew[postgres]'\n"
    )


def test_missing_aws_credentials_say_where_to_set_them(env, tmp_path, monkeypatch) -> None:
    import boto3

    # A fresh process has no default session; one left by earlier tests holds their keys.
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    out = scc(
        env,
        "init-db",
        code=2,
        SCC_DATABASE_URL="dynamodb://scc-table?region=us-east-1",
        AWS_CONFIG_FILE=str(tmp_path / "none"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
        AWS_EC2_METADATA_DISABLED="true",
    )
    assert out == (
        "No AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY (aws configure writes them).\n"
    )


def test_export_of_an_unknown_event_exits_2(env, tmp_path) -> None:
    scc(env, "init-db", code=0)
    out = scc(env, "export", "--out", str(tmp_path / "x"), "--event-id", "evt_nope", code=2)
    assert out == "There is no event evt_nope.\n"
    assert not (tmp_path / "x").exists()


# -- scc serve refuses to start --------------------------------------------------------------


def test_serve_refuses_a_database_without_schema(env) -> None:
    out = scc(env, "serve", code=2)
    assert out == "The database has no schema yet: run scc init-db.\n"


def test_serve_refuses_a_schema_behind_this_version(env, tmp_path) -> None:
    from shipcaptaincrew.storage.migrate import upgrade
    from shipcaptaincrew.storage.sql import SqlStore

    store = SqlStore(f"sqlite:///{tmp_path / 'var' / 'scc.db'}")
    upgrade(store.engine, "0002")
    store.close()
    out = scc(env, "serve", code=2)
    assert out == "The database schema is older than this version: run scc init-db to migrate it.\n"
    assert scc(env, "init-db", code=0) == "Database is up to date.\n"


def test_serve_reports_a_port_in_use_before_its_banner(env) -> None:
    scc(env, "init-db", code=0)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = scc(env, "serve", "--port", str(port), code=2)
    assert out == (
        f"Cannot listen on 127.0.0.1:{port} (Address already in use): another program has "
        "the port; stop it or choose another with --port or SCC_PORT.\n"
    )


def test_serve_refuses_an_unreachable_database(env) -> None:
    out = scc(env, "serve", code=1, SCC_DATABASE_URL="postgresql://postgres@127.0.0.1:1/scc")
    assert out.startswith("Cannot reach the database (connection failed: ")


# -- import-roster ---------------------------------------------------------------------------


@pytest.fixture
def event_id(env) -> str:
    from shipcaptaincrew.bootstrap import build_store
    from shipcaptaincrew.config import Settings
    from shipcaptaincrew.domain.models import Role
    from shipcaptaincrew.services.context import Context
    from tests import factories as f

    scc(env, "init-db", code=0)
    settings = Settings.from_env()
    ctx = Context(store=build_store(settings), settings=settings)
    admin = f.crew(ctx, Role.ADMIN)
    event = f.event(ctx, admin, capacity=3)
    ctx.store.close()
    return event.id


def _names(env: dict[str, str], event_id: str) -> dict[str, str]:
    from shipcaptaincrew.bootstrap import build_store
    from shipcaptaincrew.config import Settings

    store = build_store(Settings.from_env(env))
    rows = {b.patron_name: b.status.value for b in store.list_bookings(event_id)}
    store.close()
    return rows


def test_import_reads_windows_1252_with_any_header_case(env, event_id, tmp_path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(
        "Name,EMAIL, Phone ,Party_Size\r\n"
        "Zoë Brontë,zoe@example.com,555,2\r\n"
        "José Núñez,jose@example.com,,2\r\n"
        "Ann,not-an-email,,1\r\n".encode("cp1252")
    )
    out = scc(env, "import-roster", event_id, str(path), code=1)
    assert out.endswith(
        "1 booked, 1 waitlisted, 1 rejected.\n  line 4: That email address does not look right. "
        "An email address must have an @-sign.\n"
    )
    assert _names(env, event_id) == {"Zoë Brontë": "booked", "José Núñez": "waitlisted"}


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_import_reads_utf8_with_or_without_bom(env, event_id, tmp_path, bom) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(bom + "name,email\nŁucja Żak,lucja@example.com\n".encode())
    out = scc(env, "import-roster", event_id, str(path), code=0)
    assert out.endswith("1 booked, 0 waitlisted, 0 rejected.\n")
    assert _names(env, event_id) == {"Łucja Żak": "booked"}


def test_import_refuses_utf16_and_changes_nothing(env, event_id, tmp_path) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes("name,email\nAnn,ann@example.com\n".encode("utf-16"))
    out = scc(env, "import-roster", event_id, str(path), code=2)
    assert out == (
        "roster.csv is not UTF-8 or Windows-1252 text (UTF-16 or binary?): "
        "save it as CSV UTF-8 and import it again.\n"
    )
    assert _names(env, event_id) == {}


def test_import_onto_an_unknown_event_exits_2(env, event_id, tmp_path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text("name,email\nAnn,ann@example.com\n")
    out = scc(env, "import-roster", "evt_nope", str(path), code=2)
    assert out.endswith("No such event.\n")
    assert _names(env, event_id) == {}
