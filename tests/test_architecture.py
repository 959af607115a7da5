"""The layer rules of docs/architecture.md, checked on the source, and probes that prove the
checks fail: small package trees written to tmp_path and run through the same functions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests import layers
from tests.layers import edges, layer_violations, store_access, third_party

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / layers.PACKAGE
FORBIDDEN_IN_DOMAIN = {
    "fastapi",
    "starlette",
    "pydantic",
    "sqlalchemy",
    "alembic",
    "boto3",
    "botocore",
    "smtplib",
    "google",
    "uvicorn",
    "mangum",
    "jinja2",
    "fpdf",
    "requests",
    "httpx",
    "typer",
}
# Third-party package -> the layers (or top-level modules) that may import it.
ONLY_IN = {
    "sqlalchemy": {"storage"},
    "alembic": {"storage"},
    "boto3": {"storage", "notify", "cli_aws", "lambda_function"},
    "botocore": {"storage", "notify", "cli_aws", "lambda_function"},
    "smtplib": {"notify"},
    "google": {"notify"},
    "fastapi": {"web", "entry"},
    "starlette": {"web", "entry"},
    "pydantic": {"web", "entry"},
    "mangum": {"web", "entry"},
    "uvicorn": {"web", "entry"},
}
# What a door (a module the layers above may import from an adapter package) must not use.
IO_LIBRARIES = {"sqlalchemy", "boto3", "botocore", "smtplib", "socket", "urllib", "http"}
IO_LIBRARIES |= {"requests", "httpx", "google", "subprocess", "threading", "concurrent"}


def test_every_import_follows_the_layer_table() -> None:
    assert layer_violations(SRC) == []


def test_routes_reach_the_store_only_through_services() -> None:
    assert store_access(SRC) == []


def test_domain_imports_no_frameworks_or_io() -> None:
    offenders = {
        str(p.relative_to(SRC)): sorted(third_party(p) & FORBIDDEN_IN_DOMAIN)
        for p in (SRC / "domain").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_drivers_and_frameworks_only_where_they_belong() -> None:
    offenders = []
    for name, path in layers.modules(SRC).items():
        where = {layers.layer_of(name), name}
        for lib in sorted(third_party(path) & ONLY_IN.keys()):
            if not where & ONLY_IN[lib]:
                offenders.append(f"{name} imports {lib}")
    assert offenders == []


def test_doors_are_protocols_or_pure_renderers() -> None:
    known = layers.modules(SRC)
    assert known.keys() >= layers.DOORS
    every = edges(SRC)  # parsed once for all the doors
    for door in sorted(layers.DOORS):
        assert third_party(known[door]) & IO_LIBRARIES == set(), door
        reached = {e.target for e in every if e.source == door}
        inside = {t for t in reached if layers.layer_of(t) in layers.ADAPTERS}
        assert inside <= layers.DOORS, f"{door} imports {sorted(inside - layers.DOORS)}"


def test_the_docs_state_the_same_table() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text()
    rows = re.findall(r"^\| `?(\w+)`? \| .* \| ([\w, ]*) \|$", text, re.M)
    stated = {layer: set(filter(None, allowed.split(", "))) for layer, allowed in rows}
    assert stated == {k: v - {k} for k, v in layers.ALLOWED.items()}
    doors = re.search(r"^Doors: (.*)$", text, re.M)
    assert doors is not None
    listed = re.findall(r"`([\w/]+)\.py`", doors.group(1))
    assert {p.replace("/", ".") for p in listed} == layers.DOORS


# -- probes: a small package that keeps the rules, then one broken rule at a time ------------
CLEAN = {
    "__init__.py": '__version__ = "0"\n',
    "cli.py": "from .web import app\n",
    "cli_jobs.py": "from .services import roster\n",
    "bootstrap.py": "from .storage.sql import SqlStore\n",
    "domain/__init__.py": "",
    "domain/models.py": "from dataclasses import dataclass\n",
    "web/__init__.py": "",
    "web/app.py": "from .. import __version__\nfrom .routes import roster\n",
    "web/routes/__init__.py": "",
    "web/routes/roster.py": (
        "from ...services import roster\n"
        "from ...domain.models import dataclass\n\n"
        "def get_roster(ctx):\n    return roster.roster(ctx)\n"
    ),
    "services/__init__.py": "",
    "services/audit.py": "",
    "services/roster.py": (
        "from . import audit\n"
        "from ..storage.base import Store\n"
        "import shipcaptaincrew.domain.models\n\n"
        "def roster(ctx):\n    return ctx.store.list_bookings()\n"
    ),
    "storage/__init__.py": "",
    "storage/base.py": "from ..domain import models\n",
    "storage/sql.py": "from .base import Store\nfrom ..domain.models import dataclass\n",
}


def write_package(tmp_path: Path, extra: dict[str, str] | None = None) -> Path:
    root = tmp_path / layers.PACKAGE
    files = dict(CLEAN)
    for name, line in (extra or {}).items():
        files[name] = files.get(name, "") + line
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_probe_package_is_clean_and_its_imports_resolve(tmp_path: Path) -> None:
    root = write_package(tmp_path)
    assert layer_violations(root) == []
    assert store_access(root) == []
    assert {(e.source, e.target) for e in edges(root) if e.source.startswith("services")} == {
        ("services.roster", "services.audit"),
        ("services.roster", "storage.base"),
        ("services.roster", "domain.models"),
    }
    assert ("web.app", "") in {(e.source, e.target) for e in edges(root)}


@pytest.mark.parametrize(
    ("file", "line", "expected"),
    [
        (
            "domain/models.py",
            "from ..web.routes import roster\n",
            "domain.models -> web.routes.roster (line 2): domain may not import web",
        ),
        (
            "services/roster.py",
            "from ..web.routes.roster import get_roster\n",
            "services.roster -> web.routes.roster (line 7): services may not import web",
        ),
        (
            "services/roster.py",
            "import shipcaptaincrew.web.app\n",
            "services.roster -> web.app (line 7): services may not import web",
        ),
        (
            "storage/sql.py",
            "from ..services import roster\n",
            "storage.sql -> services.roster (line 3): storage may not import services",
        ),
        (
            "services/roster.py",
            "from ..storage.sql import SqlStore\n",
            "services.roster -> storage.sql (line 7): services reaches storage only through "
            "storage.base, storage.base_accounts, storage.base_money, storage.base_outbox, "
            "storage.base_settlements, storage.base_waivers",
        ),
        (
            "domain/models.py",
            "from ... import anything\n",
            "domain.models -> <outside the package> (line 2): not a module of the package",
        ),
        ("jobs.py", "", "jobs: not in the layer table"),
    ],
)
def test_probe_breaking_a_layer_rule_fails(
    tmp_path: Path, file: str, line: str, expected: str
) -> None:
    root = write_package(tmp_path, {file: line})
    assert layer_violations(root) == [expected]


def test_probe_route_using_ctx_store_fails(tmp_path: Path) -> None:
    line = "\ndef crew(ctx):\n    return ctx.store.list_crew()\n"
    root = write_package(tmp_path, {"web/routes/roster.py": line})
    assert store_access(root) == ["web.routes.roster (line 8): reads .store; call a service"]
