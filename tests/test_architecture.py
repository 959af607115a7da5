"""The layer rules of docs/architecture.md, checked on the source."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "shipcaptaincrew"
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
ADAPTER_ONLY = {
    "sqlalchemy": {"storage"},
    "boto3": {"storage", "notify", "cli_aws.py", "lambda_function.py"},
    "smtplib": {"notify"},
    "google": {"notify"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.level:
            names.add("." * node.level + (node.module or ""))
    return names


def test_domain_imports_no_frameworks_or_io() -> None:
    offenders = {}
    for path in (SRC / "domain").rglob("*.py"):
        bad = {n for n in _imports(path) if n in FORBIDDEN_IN_DOMAIN}
        bad |= {n for n in _imports(path) if n.startswith("..")}  # only domain-internal
        if bad:
            offenders[path.name] = sorted(bad)
    assert offenders == {}


def test_drivers_only_inside_their_adapters() -> None:
    offenders = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC)
        for name, allowed in ADAPTER_ONLY.items():
            if name in _imports(path) and rel.parts[0] not in allowed:
                offenders.append(f"{rel} imports {name}")
    assert offenders == []


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "x.py"
    bad.write_text("import fastapi\nfrom sqlalchemy import text\nfrom ..web import app\n")
    assert _imports(bad) == {"fastapi", "sqlalchemy", "..web"}
