"""Build the Lambda package: ``dist/lambda.zip``, reproducibly.

Same inputs give the same bytes: dependency versions are pinned to the ones installed
here (the versions the tests ran against), wheels are binary wheels for the Lambda
platform kept in a local cache, and the zip has sorted entries, one fixed timestamp and
fixed permissions.

What goes in: this package (without the console in ``web/static``, which S3 serves; the
guest pages' assets in ``web/static/guest`` stay, they are served under ``/g/``) and
the runtime dependencies, minus what Lambda does not use: uvicorn (Lambda calls the app
through Mangum) and typer (the CLI). boto3 is not bundled: the Lambda Python runtime
provides it, which keeps the package well under the 15 MB aim.
"""

from __future__ import annotations

import importlib.metadata as metadata
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
EXCLUDED = {"uvicorn", "typer", "boto3", "botocore", "s3transfer"}
PLATFORMS = {"arm64": "aarch64", "x86_64": "x86_64"}
# Lambda's Python 3.12+ runtimes run Amazon Linux 2023 (glibc 2.34).
GLIBC = ("2_17", "2_24", "2_26", "2_27", "2_28", "2_31", "2_34")
FIXED_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Built:
    path: Path
    size: int
    files: int


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def runtime_requirements() -> list[str]:
    """This project's runtime requirements (no extras), minus what Lambda does not need."""
    reqs = metadata.requires("shipcaptaincrew") or []
    return sorted(r for r in reqs if "extra ==" not in r and _name(r) not in EXCLUDED)


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
    constraints = cache / "constraints.txt"
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
        raise RuntimeError(f"pip download failed:\n{fetched.stderr[-2000:]}")
    done = _pip(*offline, *platform, *reqs)
    if done.returncode != 0:
        raise RuntimeError(f"pip install failed:\n{done.stderr[-2000:]}")


def _keep(rel: Path, names: set[str]) -> bool:
    """Whether a file goes into the zip. Left out: caches and scripts, the console (S3
    serves it), source maps, test suites, compiled speedups whose pure-Python twin sits
    next to them (fontTools, SQLAlchemy fall back to it), and Pillow's AVIF codec
    (receipts never read AVIF; Pillow disables the format when it is missing)."""
    parts = rel.parts
    name = rel.name
    if "__pycache__" in parts or rel.suffix in (".pyc", ".pyo", ".map") or parts[0] == "bin":
        return False
    console = parts[:3] == ("shipcaptaincrew", "web", "static") and parts[3:4] != ("guest",)
    if console or "testing" in parts[1:2]:
        return False
    if ".cpython-" in name and name.endswith(".so"):
        twin = (rel.parent / (name.split(".cpython-")[0] + ".py")).as_posix()
        if twin in names:
            return False
    return not (name.startswith(("_avif.", "libavif")))


def write_zip(root: Path, out: Path) -> int:
    """Zip ``root`` reproducibly: sorted entries, fixed time and permissions."""
    every = sorted((p.relative_to(root) for p in root.rglob("*") if p.is_file()), key=Path.as_posix)
    names = {p.as_posix() for p in every}
    files = [rel for rel in every if _keep(rel, names)]
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


def build(out: Path, *, arch: str = "arm64", python: str = "3.12", cache: Path) -> Built:
    """Build the Lambda zip at ``out`` for ``arch`` and Python ``python``."""
    if arch not in PLATFORMS:
        raise ValueError(f"arch must be one of {', '.join(PLATFORMS)}")
    with tempfile.TemporaryDirectory(prefix="scc-lambda-") as tmp:
        root = Path(tmp) / "root"
        install_dependencies(root, arch=arch, python=python, cache=cache)
        shutil.copytree(PACKAGE, root / "shipcaptaincrew", dirs_exist_ok=True)
        files = write_zip(root, out)
    return Built(out, out.stat().st_size, files)
