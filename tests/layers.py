"""The layer table of docs/architecture.md as data, and the checks that hold the package to it.

Every import of every module (absolute, relative, ``from . import x``, inside functions and
under ``TYPE_CHECKING`` alike) is resolved to a module of the package, each module to its
layer, and each edge checked against ``ALLOWED``. The functions take the package folder, so
tests/test_architecture.py runs them on the real package and on small probe trees.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "shipcaptaincrew"

# Top-level modules and the layer each belongs to (cli.py and every cli_*.py are entry points,
# see layer_of); every package folder is its own layer.
TOP_LEVEL = {
    "": "root",  # shipcaptaincrew/__init__.py: the version, nothing else
    "__main__": "entry",
    "lambda_function": "entry",
    "demo": "entry",
    "aws_package": "entry",
    "bootstrap": "wiring",
    "config": "config",
}
PACKAGES = {"web", "services", "domain", "storage", "notify", "receipts", "providers"}
ADAPTERS = {"storage", "notify", "receipts", "providers"}

# The modules of an adapter package that the layers above it may import: its Protocols and
# its pure renderers (data in; bytes or an EmailMessage out; no I/O). Anything else in an
# adapter package is chosen by bootstrap and reached through these.
DOORS = {
    "storage.base",
    "storage.base_accounts",
    "storage.base_money",
    "storage.base_outbox",
    "storage.base_settlements",
    "storage.base_waivers",
    "notify.base",
    "notify.messages",
    "receipts.pdf",
    "receipts.waiver_pdf",
    "receipts.cashup_pdf",
    "providers.base",
    "receipts.passengers_pdf",
    "receipts.settlement_pdf",
}
THROUGH_DOORS = {"entry", "web", "services"}

# layer -> the layers its modules may import (its own included). For the layers in
# THROUGH_DOORS, an adapter layer is reached only through DOORS.
ALLOWED: dict[str, set[str]] = {
    "entry": {"entry", "wiring", "web", "services", "config", "domain", "root"} | ADAPTERS,
    "wiring": {"wiring", "config", "domain", "root"} | ADAPTERS,
    "web": {"web", "services", "config", "domain", "root"} | ADAPTERS,
    "services": {"services", "config", "domain", "root"} | ADAPTERS,
    "storage": {"storage", "domain", "root"},
    "notify": {"notify", "receipts", "domain", "root"},
    "receipts": {"receipts", "domain", "root"},
    "providers": {"providers", "domain", "root"},
    "config": {"config", "domain", "root"},
    "domain": {"domain"},
    "root": set(),
}
# Single modules allowed one edge more than their layer: create_app builds its adapters
# through bootstrap when the caller passes none.
EXTRA_EDGES = {("web.app", "wiring")}

# Folders (relative to the package) whose modules never touch the store themselves.
NO_STORE_ACCESS = ("web/routes",)


@dataclass(frozen=True)
class Edge:
    source: str  # module name inside the package, e.g. "web.routes.roster"
    target: str
    line: int


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(root: Path) -> dict[str, Path]:
    """Every module of the package folder ``root`` by its name inside the package."""
    return {module_name(root, p): p for p in sorted(root.rglob("*.py"))}


def _resolve(name: str, known: dict[str, Path]) -> str:
    """``name`` if it is a module, else the nearest module it is inside (``x.Y`` where ``Y``
    is a class in module ``x``); a name in no module of the package comes back as it is."""
    probe = name
    while probe not in known:
        if not probe:
            return name
        probe = probe.rpartition(".")[0]
    return probe


def _targets(node: ast.AST, package: str) -> list[str] | None:
    """The dotted names an import statement names, inside the package; None when a relative
    import climbs out of it."""
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names if a.name.split(".")[0] == PACKAGE]
        return [n.removeprefix(PACKAGE).lstrip(".") for n in names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:
        base = package.split(".") if package else []
        if node.level - 1 > len(base):
            return None
        kept = base[: len(base) - (node.level - 1)]
        start = ".".join([*kept, node.module] if node.module else kept)
    elif (node.module or "").split(".")[0] == PACKAGE:
        start = (node.module or "").removeprefix(PACKAGE)
    else:
        return []
    # `from x import y` is an import of module x.y when y is a module, else of module x.
    return [f"{start}.{a.name}".strip(".") for a in node.names]


def edges(root: Path) -> list[Edge]:
    """Every import of one package module by another, resolved to module names."""
    known = modules(root)
    found: list[Edge] = []
    for name, path in known.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            targets = _targets(node, package)
            if targets is None:
                found.append(Edge(name, "<outside the package>", getattr(node, "lineno", 0)))
                continue
            resolved = sorted({_resolve(t, known) for t in targets} - {name})
            found.extend(Edge(name, t, getattr(node, "lineno", 0)) for t in resolved)
    return found


def layer_of(module: str) -> str | None:
    first = module.split(".")[0]
    if first in PACKAGES:
        return first
    if module.startswith("cli") and "." not in module:
        return "entry"  # cli.py and its command groups, cli_*.py
    return TOP_LEVEL.get(module)


def layer_violations(root: Path) -> list[str]:
    """One line per import that breaks the table, as ``source -> target: why``."""
    known = modules(root)
    out = [f"{m}: not in the layer table" for m in known if layer_of(m) is None]
    for e in edges(root):
        src, dst = layer_of(e.source), layer_of(e.target)
        where = f"{e.source} -> {e.target} (line {e.line})"
        if e.target not in known:
            out.append(f"{where}: not a module of the package")
        elif src is None or dst is None:
            continue  # reported above as not in the layer table
        elif dst not in ALLOWED[src] and (e.source, dst) not in EXTRA_EDGES:
            out.append(f"{where}: {src} may not import {dst}")
        elif src in THROUGH_DOORS and dst in ADAPTERS and e.target not in DOORS:
            doors = ", ".join(sorted(d for d in DOORS if d.startswith(f"{dst}.")))
            out.append(f"{where}: {src} reaches {dst} only through {doors}")
    return out


def store_access(root: Path) -> list[str]:
    """Reads of a ``.store`` attribute (``ctx.store``) where only services may use the store."""
    out = []
    for folder in NO_STORE_ACCESS:
        for path in sorted((root / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(), filename=str(path))
            out += [
                f"{module_name(root, path)} (line {n.lineno}): reads .store; call a service"
                for n in ast.walk(tree)
                if isinstance(n, ast.Attribute) and n.attr == "store"
            ]
    return out


def third_party(path: Path) -> set[str]:
    """Top-level names of the packages outside ours that ``path`` imports."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names - {PACKAGE}
