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


def _run_time_statements(tree: ast.Module) -> list[ast.stmt]:
    """A module's statements but its top-level ``if TYPE_CHECKING:`` blocks (never run)."""
    return [
        stmt
        for stmt in tree.body
        if not (isinstance(stmt, ast.If) and "TYPE_CHECKING" in ast.unparse(stmt.test))
    ]


def test_stripe_params_and_events_are_imported_only_for_types_and_v2_events() -> None:
    """Every place the kept part of stripe names ``stripe.params`` or ``stripe.events``
    (an import statement that runs, or a module name in a string): the lazy attributes of
    ``stripe/__init__`` (``stripe.params``, ``stripe.events``, never read here) and the v2
    API's event classes, which only v2 responses and v2 event notifications reach (the app
    calls the v1 API and takes v1 webhooks). A new stripe that imports them elsewhere fails
    here, before a package without them ships."""
    site, modules = _modules("stripe")
    dropped = ("stripe.params", "stripe.events")
    assert tuple(u for u in UNUSED if u[:7] == "stripe/") == ("stripe/params/", "stripe/events/")
    sites = set()
    for name, path in modules.items():
        source = path.read_bytes()
        named_here = b"stripe.params" in source or b"stripe.events" in source
        if name.startswith(dropped) or not named_here:
            continue
        statements = _run_time_statements(ast.parse(source))
        for node in (n for stmt in statements for n in ast.walk(stmt)):
            named: list[str] = []
            if isinstance(node, ast.Import):
                named = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                assert node.level == 0, (name, node.lineno)  # stripe imports absolutely
                named = [node.module or ""]
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                named = [node.value]
            if any(n.startswith(dropped) for n in named):
                sites.add((name, *named))
    assert sites == {
        ("stripe", "stripe.events"),
        ("stripe", "stripe.params"),
        ("stripe._util", "stripe.events._event_classes"),
        ("stripe.v2.core._event", "stripe.events._event_classes"),
    }
    util = modules["stripe._util"].read_text()
    assert 'api_mode == "V2" and klass_name == "v2.core.event"' in util
