"""Build the Lambda package: ``dist/lambda.zip``, reproducibly, with its bytecode.

Same inputs give the same bytes: dependency versions are pinned to the ones installed
here (the versions the tests ran against), wheels are binary wheels for the Lambda
platform kept in a wheel cache shared by every checkout on the machine, every module is
compiled to unchecked-hash bytecode (no timestamps in it), and the zip has sorted entries,
one fixed timestamp and fixed permissions.

Why bytecode: Lambda's code directory is read-only, so a package without ``.pyc`` files
compiles FastAPI, pydantic and the app from source on every cold start. Unchecked-hash
``.pyc`` files are used as they are, without even a look at the source's timestamp.

What goes in: this package, source and bytecode (without the console in ``web/static``,
which S3 serves, or the modules in ``web/console`` its script is built from; the guest
pages' assets in ``web/static/guest`` stay, they are served under ``/g/``), the runtime
dependencies and the ``gmail`` extra (google-auth for the Gmail API sender) as bytecode
only (a traceback still names their file and line), minus what Lambda does not use:
uvicorn (Lambda calls the app through Mangum), typer (the CLI), SQLAlchemy and Alembic (the
SQL stores), and the ``UNUSED`` pieces of the others (Pillow's font and WebP codecs,
pydantic's v1 copy, ReDoc, fontTools' tools, ...); their shared libraries ship without
symbol tables or debug sections. boto3 and botocore are not
bundled: the Lambda Python runtime provides them.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata as metadata
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
# uvicorn and typer serve and drive the app elsewhere; the Lambda runtime provides boto3;
# SQLAlchemy and Alembic only serve SQL databases, and Lambda's database is DynamoDB.
EXCLUDED = {"uvicorn", "typer", "boto3", "botocore", "s3transfer", "sqlalchemy", "alembic"}
OWN = "shipcaptaincrew"
BUILD_ONLY = (".pyo", ".map", ".c", ".h", ".pyx", ".pxd", ".pyi")
EXTRAS = {"gmail"}
PLATFORMS = {"arm64": "aarch64", "x86_64": "x86_64"}
# A package's test suite (``<package>/tests/``), which never ships.
TEST_SUITES = (("tests",), ("testing",))
# Lambda's Python 3.12+ runtimes run Amazon Linux 2023 (glibc 2.34).
GLIBC = ("2_17", "2_24", "2_26", "2_27", "2_28", "2_31", "2_34")
# Pieces of the dependencies the function never loads (paths in the zip, as prefixes).
UNUSED = (
    # Pillow: receipts and waivers only decode and encode PNG, and fpdf draws text itself:
    # no FreeType/HarfBuzz (with the PNG and Brotli libraries only FreeType links), no
    # WebP, AVIF or Tk. Pillow turns a format off when its codec is missing.
    "PIL/_imagingft.",
    "PIL/_webp.",
    "PIL/_avif.",
    "PIL/_imagingtk.",
    *(f"pillow.libs/lib{n}" for n in ("freetype", "harfbuzz", "png16", "brotli", "webp")),
    *(f"pillow.libs/lib{n}" for n in ("sharpyuv", "avif")),
    # pydantic's copy of its version 1 (FastAPI looks for v1 models only when it imports)
    # and its mypy plugin.
    "pydantic/v1/",
    "pydantic/mypy.",
    # ReDoc: /docs is Swagger UI.
    "fastapi_offline/static/redoc.",
    # cffi's Python side and pycparser build bindings; argon2's run on _cffi_backend alone.
    "cffi/",
    "pycparser/",
    # dnspython: email-validator loads it only to check that a domain takes mail (DNS), which
    # the app never asks for.
    "dns/",
    # stripe's request-parameter TypedDicts (imported only for type checking) and its v2
    # "thin" event classes (only for v2 event notifications; webhooks here are v1):
    # tests/test_aws_package_unused.py lists every import of them, and the package test
    # runs Checkout, a refund and webhook signatures from the unzipped package.
    "stripe/params/",
    "stripe/events/",
    # google-auth's pure-Python RSA fallback; cryptography signs the service-account JWT.
    "pyasn1/",
    "pyasn1_modules/",
    # fontTools modules that nothing fpdf imports reaches (tests/test_aws_package_unused.py
    # follows the imports).
    *(f"fontTools/{n}" for n in ("__main__.", "afmLib.", "cu2qu/", "diff/", "fontBuilder.")),
    *(f"fontTools/{n}" for n in ("help.", "merge/", "mtiLib/", "qu2cu/", "t1Lib/", "tfmLib.")),
    *(f"fontTools/{n}" for n in ("ufoLib/", "voltLib/", "ttLib/scaleUpem.")),
    *(f"fontTools/feaLib/{n}." for n in ("builder", "lexer", "parser", "variableScalar")),
    *(f"fontTools/misc/{n}" for n in ("filesystem/", "psLib.", "psOperators.", "symfont.")),
    "fontTools/misc/testTools.",
    *(f"fontTools/varLib/{n}" for n in ("avar", "interpolat", "mutator.", "plot.")),
)
# Pillow's image formats that stay: PNG (signatures), those Pillow tries first (BMP, GIF,
# JPEG with its MPO, PPM) and TIFF (fpdf imports it). Pillow skips a missing format.
PIL_FORMATS = {"Png", "Bmp", "Gif", "Jpeg", "Mpo", "Ppm", "Tiff"}
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
TASK_ROOT = "/var/task"  # where Lambda unpacks the zip: the paths bytecode names
CACHE_ENV = "SCC_WHEEL_CACHE"
STALE_MAKING = 3600.0  # seconds: a tree still being made after an hour was left by a dead build


@dataclass(frozen=True)
class Built:
    path: Path
    size: int
    files: int


class PackageError(RuntimeError):
    """The package cannot be built (one line for the operator)."""


def default_cache() -> Path:
    """Where downloaded wheels are kept: ``$SCC_WHEEL_CACHE``, else the user's cache
    folder (``$XDG_CACHE_HOME`` or ``~/.cache``), so every clone on a machine shares it."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "shipcaptaincrew" / "lambda-wheels"


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _extra(requirement: str) -> str | None:
    found = re.search(r"""extra\s*==\s*["']([^"']+)["']""", requirement)
    return found.group(1) if found else None


def runtime_requirements() -> list[str]:
    """This project's runtime requirements and the extras Lambda uses (``gmail``), minus
    what Lambda does not need; markers are dropped (pip evaluates the target's own)."""
    reqs = metadata.requires("shipcaptaincrew") or []
    keep = [r.split(";")[0].strip() for r in reqs if _extra(r) in EXTRAS or "extra" not in r]
    return sorted({r for r in keep if _name(r) not in EXCLUDED})


def pins() -> str:
    """A pip constraints file pinning every installed distribution to its version."""
    lines = set()
    for dist in metadata.distributions():
        name = (dist.metadata["Name"] or "").lower().replace("_", "-")
        if name and name != "shipcaptaincrew":
            lines.add(f"{name}=={dist.version}")
    return "\n".join(sorted(lines)) + "\n"


def _pip(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]
    return subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603


def install_dependencies(target: Path, *, arch: str, python: str, cache: Path) -> None:
    """Binary wheels for the Lambda platform into ``target``: offline from ``cache`` when
    it has them, otherwise downloaded into it first."""
    wheels = cache / f"{PLATFORMS[arch]}-cp{python.replace('.', '')}"
    wheels.mkdir(parents=True, exist_ok=True)
    constraints = target.parent / "constraints.txt"
    constraints.write_text(pins())
    platform = [
        *(arg for g in GLIBC for arg in ("--platform", f"manylinux_{g}_{PLATFORMS[arch]}")),
        "--only-binary=:all:",
        "--python-version",
        python,
        "--implementation",
        "cp",
        "-c",
        str(constraints),
    ]
    reqs = runtime_requirements()
    offline = [
        "install",
        "--quiet",
        "--no-index",
        "--find-links",
        str(wheels),
        "--no-compile",
        "--target",
        str(target),
    ]
    if _pip(*offline, *platform, *reqs).returncode == 0:
        return
    shutil.rmtree(target, ignore_errors=True)
    fetched = _pip("download", "--quiet", "--dest", str(wheels), *platform, *reqs)
    if fetched.returncode != 0:
        raise PackageError(f"pip download failed:\n{fetched.stderr[-2000:]}")
    done = _pip(*offline, *platform, *reqs)
    if done.returncode != 0:
        raise PackageError(f"pip install failed:\n{done.stderr[-2000:]}")


def interpreter_for(python: str) -> str:
    """A Python ``python`` interpreter to compile with: this one when it is that version,
    else ``pythonX.Y`` on PATH (bytecode is specific to the Python version)."""
    if f"{sys.version_info.major}.{sys.version_info.minor}" == python:
        return sys.executable
    found = shutil.which(f"python{python}")
    if found and _version(found) == python:  # a pyenv shim may stand for a missing one
        return found
    raise PackageError(
        f"Compiling the package for Python {python} needs python{python} on PATH "
        f"(or build with --python {sys.version_info.major}.{sys.version_info.minor})"
    )


def _version(interpreter: str) -> str:
    """``X.Y`` of ``interpreter`` (empty when it does not run)."""
    return ".".join(_version_line(interpreter).split(".")[:2])


def compile_bytecode(
    root: Path, paths: list[Path], *, python: str, sourceless: bool, skip: str | None = None
) -> None:
    """Compile every module in ``paths`` (under ``root``) as Python ``python`` will load it
    from /var/task: unchecked-hash pycs (no timestamps, the source never looked at), a fixed
    hash seed (frozenset constants keep one order). This package's go to ``__pycache__``
    beside its source; the dependencies' (``sourceless``) go beside their source, which is
    then left out. ``skip``: a regular expression for files not to compile (their full
    path)."""
    legacy = ["-b"] if sourceless else []
    excluded = ["-x", skip] if skip else []
    cmd = [
        interpreter_for(python),
        "-I",
        "-m",
        "compileall",
        "-q",
        "-j",
        "0",
        *legacy,
        *excluded,
        "--invalidation-mode",
        "unchecked-hash",
        "-s",
        str(root),
        "-p",
        TASK_ROOT,
        *map(str, sorted(paths)),
    ]
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONHASHSEED": "0"}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)  # noqa: S603
    # Exit status 1: a file did not compile (a template named .py, Python 2 test data): it
    # ships as source and is never imported; the package test fails if one is.
    if done.returncode not in (0, 1):
        raise PackageError(f"compileall failed:\n{done.stderr[-2000:]}")


def strip_libraries(root: Path, *, arch: str) -> int:
    """Take the symbol tables and debug sections out of the dependencies' shared libraries
    (the dynamic symbols stay: nothing at run time reads the rest; Pillow's and
    cryptography's wheels carry ~1.5 MB of them, zipped). With ``llvm-strip`` (any
    architecture) or, for this machine's own architecture, ``strip``; without either, or
    for a file the tool cannot read, the library ships as it came. Returns how many were
    stripped."""
    tool = shutil.which("llvm-strip")
    if tool is None and PLATFORMS[arch] == platform.machine():
        tool = shutil.which("strip")
    if tool is None:
        return 0
    stripped = 0
    for path in sorted(root.rglob("*.so*")):
        if path.is_file() and (path.suffix == ".so" or ".so." in path.name):
            cmd = [tool, "--strip-unneeded", str(path)]
            done = subprocess.run(cmd, capture_output=True, check=False)  # noqa: S603
            stripped += done.returncode == 0
    return stripped


def _keep(rel: Path, names: set[str]) -> bool:
    """Whether a file goes into the zip: this package's source and its ``__pycache__``
    bytecode; the dependencies' bytecode instead of their source (a source that did not
    compile stays); no bytecode whose source is not shipped."""
    if rel.suffix == ".pyc":
        cached = rel.parent.name == "__pycache__"
        source = (rel.parent.parent / rel.name.split(".")[0]) if cached else rel
        source = source.with_suffix(".py")
        own = rel.parts[0] == OWN
        return cached == own and source.as_posix() in names and _wanted(source, names)
    if rel.suffix == ".py" and rel.parts[0] != OWN:
        return rel.with_suffix(".pyc").as_posix() not in names and _wanted(rel, names)
    return _wanted(rel, names)


def _wanted(rel: Path, names: set[str]) -> bool:
    """Left out: scripts, build-only files (C sources, headers, stubs, source maps), the
    console (S3 serves it), test suites, compiled speedups whose pure-Python twin sits next
    to them (fontTools falls back to it), the ``UNUSED`` pieces of the dependencies,
    Pillow's image formats but ``PIL_FORMATS``, and the installed-files lists (``RECORD``)
    that only pip reads."""
    parts = rel.parts
    name = rel.name
    if rel.suffix in BUILD_ONLY or parts[0] == "bin" or "__pycache__" in parts:
        return False
    served_by_s3 = parts[:3] == (OWN, "web", "static") and parts[3:4] != ("guest",)
    console = served_by_s3 or parts[:3] == (OWN, "web", "console")  # and the script's sources
    if console or parts[1:2] in TEST_SUITES:
        return False
    if ".cpython-" in name and name.endswith(".so"):
        twin = (rel.parent / (name.split(".cpython-")[0] + ".py")).as_posix()
        if twin in names:
            return False
    if parts[0] == "PIL" and "ImagePlugin." in name:
        return name.split("ImagePlugin.")[0] in PIL_FORMATS
    if parts[0].endswith(".dist-info") and name == "RECORD":
        return False
    return not rel.as_posix().startswith(UNUSED)


def unshipped(root: Path) -> str:
    """A regular expression for the dependencies' modules in ``root`` that never go into
    the zip (``_wanted``: the ``UNUSED`` pieces and the test suites), which are therefore
    not compiled: 1,813 of the 3,457 modules (stripe's params and events alone are 1,170),
    which takes compiling the tree from 5.7 s to 3.5 s on two cores."""
    suites = "|".join(re.escape(name) for (name,) in TEST_SUITES)
    pieces = [re.escape(p) for p in UNUSED] + [rf"[^/]+/(?:{suites})/"]
    return "^" + re.escape(f"{root}/") + "(?:" + "|".join(pieces) + ")"


def zip_members(root: Path) -> list[Path]:
    """The files of ``root`` that go into the zip (``_keep``), in the zip's order."""
    every = sorted((p.relative_to(root) for p in root.rglob("*") if p.is_file()), key=Path.as_posix)
    names = {p.as_posix() for p in every}
    return [rel for rel in every if _keep(rel, names)]


def write_zip(root: Path, out: Path) -> int:
    """Zip ``root`` reproducibly: sorted entries, fixed time and permissions, whatever the
    files' own times, modes and the order they were made in."""
    files = zip_members(root)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w") as zf:
        for rel in files:
            info = zipfile.ZipInfo(rel.as_posix(), date_time=FIXED_TIME)
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, (root / rel).read_bytes(), compresslevel=9)
    tmp.replace(out)
    return len(files)


def tree_key(*, arch: str, python: str) -> str:
    """What the dependency tree is made of: the requirements, their pinned versions, the
    target, the compiling interpreter, the strip tool and this module's own rules."""
    parts = [
        arch,
        python,
        _version_line(interpreter_for(python)),
        shutil.which("llvm-strip") or shutil.which("strip") or "",
        *runtime_requirements(),
        pins(),
        Path(__file__).read_text(encoding="utf-8"),
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


@functools.cache
def _version_line(interpreter: str) -> str:
    """``interpreter``'s ``sys.version``, asked once per process (a build asks for its
    interpreter several times)."""
    if interpreter == sys.executable:
        return sys.version
    cmd = [interpreter, "-I", "-c", "import sys; print(sys.version)"]
    return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout  # noqa: S603


def make_tree(root: Path, *, arch: str, python: str, cache: Path) -> None:
    """The dependencies installed into ``root`` for the target, compiled and stripped."""
    install_dependencies(root, arch=arch, python=python, cache=cache)
    theirs = [p for p in root.iterdir() if not p.name.endswith("-info")]
    compile_bytecode(root, theirs, python=python, sourceless=True, skip=unshipped(root))
    strip_libraries(root, arch=arch)


def dependency_tree(*, arch: str, python: str, cache: Path) -> Path:
    """The dependency tree (``make_tree``) kept in ``cache`` under ``tree_key``: made in a
    temporary folder and renamed into place, so a build that dies leaves nothing half made.
    A zip built from it holds the files a tree made afresh holds, byte for byte (the
    package test stages one afresh and compares)."""
    trees = cache / "trees"
    kept = trees / tree_key(arch=arch, python=python)
    if kept.is_dir():
        return kept
    trees.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="making-", dir=trees))
    try:
        make_tree(work / "root", arch=arch, python=python, cache=cache)
        for old in trees.iterdir():  # trees of other pins or rules are not needed again,
            # nor what a build killed while making its tree left (not another's, under way)
            if old in (kept, work):
                continue
            if not old.name.startswith("making-") or _age(old) > STALE_MAKING:
                shutil.rmtree(old, ignore_errors=True)
        try:
            (work / "root").rename(kept)
        except OSError:  # another build kept the same tree meanwhile
            if not kept.is_dir():
                raise
        return kept
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return 0.0


def _link_or_copy(source: str, target: str) -> None:
    """Hard-link a kept file (the build only reads it), or copy it across file systems."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def stage(
    root: Path,
    *,
    arch: str,
    python: str,
    cache: Path | None = None,
    fresh: bool = False,
) -> None:
    """Lay out in ``root`` what the zip is made of: the dependency tree (kept in ``cache``,
    by default ``default_cache()``, or with ``fresh`` made again in ``root`` itself, neither
    reading nor keeping the cached one) and this package with its bytecode."""
    if arch not in PLATFORMS:
        raise ValueError(f"arch must be one of {', '.join(PLATFORMS)}")
    interpreter_for(python)  # fail before any download
    cache = cache or default_cache()
    if fresh:
        make_tree(root, arch=arch, python=python, cache=cache)
    else:
        deps = dependency_tree(arch=arch, python=python, cache=cache)
        shutil.copytree(deps, root, copy_function=_link_or_copy)
    shutil.copytree(
        PACKAGE,
        root / OWN,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    compile_bytecode(root, [root / OWN], python=python, sourceless=False)


def build(
    out: Path,
    *,
    arch: str = "arm64",
    python: str = "3.12",
    cache: Path | None = None,
) -> Built:
    """Build the Lambda zip at ``out`` for ``arch`` and Python ``python`` from what ``stage``
    lays out (the kept dependency tree)."""
    with tempfile.TemporaryDirectory(prefix="scc-lambda-") as tmp:
        root = Path(tmp) / "root"
        stage(root, arch=arch, python=python, cache=cache)
        files = write_zip(root, out)
    return Built(out, out.stat().st_size, files)
