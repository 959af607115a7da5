"""What each distribution weighs in the Lambda zip, compressed, largest first.

    .venv/bin/python bench/lambda_package_weights.py [--zip ZIP] [--top 30] [--detail NAME]

Entries are grouped by their top-level folder or module (``stripe/``, ``pydantic_core/``,
``_cffi_backend...so``), with ``.dist-info`` folders and ``*.libs`` (bundled shared
libraries) counted with their distribution. For each group: compressed bytes in all, and
how much of it is bytecode, source, shared libraries and other data. ``--detail NAME``
breaks one group down by its second-level folder.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import zipfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import lambda_task  # noqa: E402

KINDS = ("pyc", "py", "so", "data")


def group_of(name: str) -> str:
    top = name.split("/", 1)[0]
    if top.endswith(".dist-info"):
        return top.split("-", 1)[0].lower().replace("_", "-") + " (metadata)"
    if top.endswith(".libs"):
        return top[: -len(".libs")]
    if "/" not in name:  # a single-file module or extension
        return top.split(".", 1)[0]
    return top


def kind_of(name: str) -> str:
    if name.endswith(".pyc"):
        return "pyc"
    if name.endswith(".py"):
        return "py"
    if name.endswith(".so") or ".so." in name.rsplit("/", 1)[-1]:
        return "so"
    return "data"


def weigh(zip_path: Path, detail: str | None = None) -> dict[str, dict[str, int]]:
    groups: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys((*KINDS, "files"), 0))
    with zipfile.ZipFile(zip_path) as zf:
        for info in zf.infolist():
            group = group_of(info.filename)
            if detail is not None:
                if group != detail:
                    continue
                parts = info.filename.split("/")
                group = "/".join(parts[:2]) + ("/" if len(parts) > 2 else "")
            groups[group][kind_of(info.filename)] += info.compress_size
            groups[group]["files"] += 1
    return groups


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--zip", type=Path, help="a built zip (default: build one here)")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--detail", help="break one group down by its second-level folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="scc-zip-") as tmp:
        zip_path = args.zip or lambda_task.build_here(Path(tmp))
        total = zip_path.stat().st_size
        groups = weigh(zip_path, args.detail)
    rows = sorted(groups.items(), key=lambda kv: -sum(kv[1][k] for k in KINDS))
    files = sum(g["files"] for g in groups.values())
    print(f"{zip_path.name}: {total / 1e6:.2f} MB, {files} files")
    print("| package | KB zipped | bytecode | source | shared libs | data | files |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    rest = dict.fromkeys((*KINDS, "files"), 0)
    for i, (name, sizes) in enumerate(rows):
        if i >= args.top:
            for k in rest:
                rest[k] += sizes[k]
            continue
        print(_row(name, sizes))
    if rest["files"]:
        print(_row(f"{len(rows) - args.top} others", rest))


def _row(name: str, sizes: dict[str, int]) -> str:
    kb = [sizes[k] / 1000 for k in KINDS]
    cells = " | ".join(f"{v:.0f}" for v in kb)
    return f"| {name} | {sum(kb):.0f} | {cells} | {sizes['files']} |"


if __name__ == "__main__":
    main()
