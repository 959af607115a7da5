"""The Lambda zip run as Lambda runs it: unpacked into a read-only task folder, boto3 from a
separate runtime folder (Lambda's runtime provides it), a clean interpreter that writes no
bytecode, and a record of every module it had to compile from source.

Used by the package tests and ``bench/lambda_cold_start.py``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

from shipcaptaincrew.aws_package import build

HERE = {"x86_64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}[platform.machine()]
PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
# What the Lambda Python runtime brings besides the standard library (its /var/runtime).
RUNTIME = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six")

# Put first in every script: the task folder, then the runtime's, on the path; every
# module compiled from source (its bytecode missing or unusable) is recorded.
PRELUDE = r"""
import sys, importlib.machinery as _m
sys.path[:0] = [sys.argv[1], sys.argv[2]]
COMPILED = []
_to_code = _m.SourceFileLoader.source_to_code
def _record(self, data, path, *args, **kw):
    COMPILED.append(path)
    return _to_code(self, data, path, *args, **kw)
_m.SourceFileLoader.source_to_code = _record
"""


def build_here(folder: Path, name: str = "lambda.zip") -> Path:
    """The zip for this machine's architecture and Python (wheels and the dependency tree
    from the shared cache)."""
    return build(folder / name, arch=HERE, python=PYTHON).path


def unpack(zip_path: Path, task: Path) -> Path:
    """Unpack ``zip_path`` into ``task`` and make it read-only, as /var/task is."""
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(task)
    for path in sorted(task.rglob("*"), reverse=True):
        path.chmod(0o555 if path.is_dir() else 0o444)
    task.chmod(0o555)
    return task


def runtime(folder: Path) -> Path:
    """A folder holding what Lambda's runtime adds to the path (boto3 and its needs),
    linked from this environment with their compiled bytecode."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in RUNTIME:
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin is not None, name
        origin = Path(spec.origin)
        source = origin.parent if origin.name == "__init__.py" else origin
        links = {folder / source.name: source}
        if source.is_file():  # a single module: its bytecode too
            cached = Path(importlib.util.cache_from_source(str(source)))
            links[folder / "__pycache__" / cached.name] = cached
        for link, target in links.items():
            link.parent.mkdir(exist_ok=True)
            if not link.exists():
                link.symlink_to(target)
    return folder


def files_in(task: Path) -> set[str]:
    return {p.relative_to(task).as_posix() for p in task.rglob("*")}


def clean_env(**env: str) -> dict[str, str]:
    """The environment of a Lambda process: nothing of ours but what is given."""
    keep = ("PATH", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION")
    return {
        **{k: os.environ[k] for k in keep if k in os.environ},
        "PYTHONDONTWRITEBYTECODE": "1",
        "LAMBDA_TASK_ROOT": "/var/task",
        **env,
    }


def run(
    task: Path, runtime_dir: Path, script: str, *args: str, env: dict[str, str]
) -> dict[str, Any]:
    """Run ``script`` (after ``PRELUDE``) in a clean interpreter that cannot write
    bytecode (``-I -S -B``; PYTHONDONTWRITEBYTECODE is set too, as on Lambda); its last line
    of output is JSON, returned."""
    base = getattr(sys, "_base_executable", sys.executable)
    done = subprocess.run(
        [base, "-I", "-S", "-B", "-c", PRELUDE + script, str(task), str(runtime_dir), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(done.stderr[-4000:])
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result
