"""The Lambda zip: reproducible, and self-sufficient in a clean interpreter."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from shipcaptaincrew.aws_package import build

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "lambda-wheels"
HERE = {"x86_64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}[platform.machine()]
PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"

CHECK = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from shipcaptaincrew.bootstrap import build_store
from shipcaptaincrew.config import Settings
build_store(Settings.from_env()).init_schema()
from shipcaptaincrew.lambda_function import lambda_handler
from tests_event import EVENTS
answers = [lambda_handler(e, None) for e in EVENTS]
outside = sorted(
    m.__file__ for m in list(sys.modules.values())
    if getattr(m, "__file__", None) and not m.__file__.startswith((sys.argv[1], sys.base_prefix))
)
print(json.dumps({"answers": answers, "outside": outside}))
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("zips")
    first = build(folder / "a.zip", arch=HERE, python=PYTHON, cache=CACHE).path
    second = build(folder / "b.zip", arch=HERE, python=PYTHON, cache=CACHE).path
    return first, second


def test_zip_is_reproducible(built: tuple[Path, Path]) -> None:
    first, second = built
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as zf:
        infos = zf.infolist()
    names = [i.filename for i in infos]
    assert names == sorted(names)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {i.external_attr >> 16 for i in infos} == {0o100644}
    assert "shipcaptaincrew/lambda_function.py" in names
    assert not [n for n in names if n.startswith(("uvicorn/", "typer/", "boto3/", "tests/"))]
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_clean_interpreter_answers_an_event_from_the_unzipped_package(
    built: tuple[Path, Path], tmp_path: Path
) -> None:
    from tests.lambda_client import function_url_event

    site = tmp_path / "task"
    with zipfile.ZipFile(built[0]) as zf:
        zf.extractall(site)
    events = [
        function_url_event("GET", "/api/health"),
        function_url_event(
            "POST",
            "/admin/login",
            headers={"content-type": "application/json"},
            body=b'{"email": "nobody@example.org", "password": "wrong-password"}',
        ),
    ]
    probe = tmp_path / "probe"
    probe.mkdir()
    (probe / "tests_event.py").write_text(f"EVENTS = {events!r}\n")
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(probe),  # ignored under -I; the script adds the folder itself
        "SCC_DATABASE_URL": f"sqlite:///{tmp_path / 'lambda.db'}",
        "SCC_SECRET_KEY": "clean-interpreter-secret-key",
        "SCC_VAR_DIR": str(tmp_path / "var"),
    }
    base = getattr(sys, "_base_executable", sys.executable)
    run = subprocess.run(
        [
            base,
            "-I",
            "-S",
            "-c",
            f"import sys; sys.path.insert(0, {str(probe)!r})\n" + CHECK,
            str(site),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    health, login = result["answers"]
    assert (health["statusCode"], json.loads(health["body"])) == (200, {"status": "ok"})
    assert login["statusCode"] == 401
    assert json.loads(login["body"])["error"]["code"] == "unauthenticated"
    assert result["outside"] == [str(probe / "tests_event.py")]
