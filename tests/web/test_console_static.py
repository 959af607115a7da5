"""The console's files keep the rules the CSP and the design rely on: no inline script or
style, no HTML built from strings, and index.html loads the one script that the modules
under web/console build to, as committed."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import shipcaptaincrew.web

STATIC = Path(shipcaptaincrew.web.__file__).with_name("static")
JS = Path(shipcaptaincrew.web.__file__).with_name("console")
ROOT = Path(__file__).resolve().parents[2]
IMPORT = re.compile(r"^import (?:.* from )?'\./([\w-]+\.js)';", re.M)


def static_imports(module: str, seen: set[str]) -> set[str]:
    if module not in seen:
        seen.add(module)
        for dep in IMPORT.findall((JS / module).read_text()):
            static_imports(dep, seen)
    return seen


def test_index_html_has_no_inline_script_or_style() -> None:
    html = (STATIC / "index.html").read_text()
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert re.findall(r"\sstyle=", html) == []
    assert re.findall(r"\son[a-z]+=", html) == []


def test_modules_build_dom_from_text_not_html_strings() -> None:
    html_sinks = re.compile(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write")
    offenders = {p.name: m for p in JS.glob("*.js") for m in html_sinks.findall(p.read_text())}
    assert offenders == {}


def test_every_request_goes_through_api_fetch() -> None:
    callers = sorted(p.name for p in JS.glob("*.js") if re.search(r"\bfetch\(", p.read_text()))
    assert callers == ["api.js"]


def test_index_loads_only_the_consoles_one_script() -> None:
    html = (STATIC / "index.html").read_text()
    assert re.findall(r"<script[^>]*>", html) == ['<script type="module" src="console.js">']
    assert "modulepreload" not in html
    assert not (STATIC / "js").exists()  # the modules are sources, not served


def test_the_committed_script_is_what_the_modules_build_to(tmp_path) -> None:
    built = tmp_path / "console.js"
    subprocess.run([ROOT / "scripts" / "build-console.sh", built], check=True, cwd=ROOT)
    assert built.read_bytes() == (STATIC / "console.js").read_bytes(), (
        "web/static/console.js is stale: run `make console` and commit it"
    )


def test_main_starts_the_early_requests_before_anything_else_runs() -> None:
    assert IMPORT.findall((JS / "main.js").read_text())[0] == "prefetch.js"


def test_every_module_is_reachable() -> None:
    reachable = static_imports("main.js", set())
    for lazy in re.findall(r"import\('\./([\w-]+\.js)'\)", (JS / "lazy.js").read_text()):
        static_imports(lazy, reachable)
    assert {p.name for p in JS.glob("*.js")} == reachable


def test_server_addresses_are_built_only_in_urls_js() -> None:
    address = re.compile(r"""['"`]/(?:api|admin)\b""")
    builders = sorted(p.name for p in JS.glob("*.js") if address.search(p.read_text()))
    assert builders == ["urls.js"]


def test_the_console_shows_the_servers_ready_and_never_decides_it() -> None:
    # "Ready to board" combines payment, waiver and check-in: only the server does that.
    fact = r"\b(?:payment_cleared|waiver_signed|checked_in)\b"
    rule = re.compile(rf"{fact}[^;\n]*&&[^;\n]*{fact}")
    deciders = sorted(p.name for p in JS.glob("*.js") if rule.search(p.read_text()))
    assert deciders == []
    assert rule.search(
        "const ready = b.status === 'booked' && s.payment_cleared && b.waiver_signed"
    )


def test_the_service_worker_keeps_exactly_the_console_and_nothing_else() -> None:
    worker = (STATIC / "sw.js").read_text()
    listed = re.search(r"const SHELL = \[(.*?)\];", worker, re.S)
    assert listed is not None
    shell = set(re.findall(r"'([^']+)'", listed.group(1)))
    console = {
        p.relative_to(STATIC).as_posix()
        for p in STATIC.rglob("*")
        if p.is_file() and p.parts[len(STATIC.parts)] not in ("guest",) and p.name != "sw.js"
    }
    assert shell == console
    # Only listed files and opening the console itself are answered from the cache.
    assert "if (!isPage && !shellUrls.has(url.href)) return;" in worker
    assert "request.method !== 'GET'" in worker


def test_the_manifest_installs_the_console_from_its_own_folder() -> None:
    import json

    manifest = json.loads((STATIC / "manifest.webmanifest").read_text())
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == (
        "./",
        "./",
        "standalone",
    )
    assert [i["src"] for i in manifest["icons"]] == ["icon.svg"]
    html = (STATIC / "index.html").read_text()
    assert '<link rel="manifest" href="manifest.webmanifest">' in html
