"""Pieces of the dependencies the Lambda package leaves out (``aws_package.UNUSED``) are
never loaded: fontTools modules fpdf never imports (every import statement of fpdf and of
the fontTools modules it reaches, at module level or inside a function, is followed, as
installed here), and dnspython, which email addresses are checked without."""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

from shipcaptaincrew.aws_package import UNUSED


def _modules(package: str) -> tuple[Path, dict[str, Path]]:
    spec = importlib.util.find_spec(package)
    assert spec is not None and spec.origin is not None
    site = Path(spec.origin).parent.parent
    found = {}
    for path in (site / package).rglob("*.py"):
        parts = list(path.relative_to(site).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return site, found


def _imported(name: str, path: Path) -> set[str]:
    """Every module name an import statement in ``path`` names (and its parents)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    names = set()
    for node in ast.walk(ast.parse(path.read_bytes())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    parents = set()
    for full in names:
        parts = full.split(".")
        parents.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return parents


def test_fonttools_pieces_left_out_are_never_imported_by_fpdf() -> None:
    site, modules = _modules("fontTools")
    _, fpdf = _modules("fpdf")
    modules |= fpdf
    # fpdf's own modules, and the font tables that fontTools imports by their tag's name.
    todo = [m for m in modules if m.startswith(("fpdf", "fontTools.ttLib.tables."))]
    reached: set[str] = set()
    while todo:
        name = todo.pop()
        if name not in reached:
            reached.add(name)
            todo.extend(m for m in _imported(name, modules[name]) if m in modules)
    left_out = sorted(
        name for name in reached if modules[name].relative_to(site).as_posix().startswith(UNUSED)
    )
    assert left_out == []
    assert {"fontTools.subset", "fontTools.varLib.instancer"} <= reached  # it does follow
    unreached = {n for n in modules if n not in reached}
    assert {"fontTools.ufoLib", "fontTools.feaLib.parser"} <= unreached


def test_email_addresses_are_checked_without_dnspython() -> None:
    code = (
        "import sys; sys.modules['dns'] = None\n"  # any import of dnspython fails
        "from shipcaptaincrew.services.addresses import normalise_email\n"
        "print(normalise_email(' Pat@Example.COM'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, "pat@example.com\n", "")
    assert "dns/" in UNUSED
