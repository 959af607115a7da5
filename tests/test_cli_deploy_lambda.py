"""``scc deploy-lambda`` against moto's Lambda (server mode): a function made in the test with
a small zip in the previous system's layout (handler ``lambda_function.lambda_handler``),
then deployed to: environment merged, handler and runtime set, code updated, version published."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from typer.testing import CliRunner

from shipcaptaincrew.cli import app
from shipcaptaincrew.cli_aws import HANDLER
from shipcaptaincrew.domain.models import new_id
from tests.moto_server import MotoServer, free_port
from tests.server import LiveServer

OLD_ENV = {
    "SCC_DATABASE_URL": "dynamodb://roster",
    "SCC_SECRET_KEY": "old-secret-value",
    "SCC_GMAIL_SERVICE_ACCOUNT_JSON": '{"private_key": "x"}',
    "SCC_MAIL_BACKEND": "smtp",
}


def _zip(source: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("lambda_function.py", source)
    return buf.getvalue()


@pytest.fixture
def lam(moto: MotoServer) -> Iterator[tuple[object, str]]:
    iam = boto3.client("iam", region_name="us-east-1", endpoint_url=moto.endpoint)
    role_name = new_id("role")
    role = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    client = boto3.client("lambda", region_name="us-east-1", endpoint_url=moto.endpoint)
    name = new_id("shipcaptaincrew")
    client.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=role,
        Handler="lambda_function.lambda_handler",
        Code={"ZipFile": _zip("def lambda_handler(event, context):\n    return 1\n")},
        Architectures=["arm64"],
        Environment={"Variables": OLD_ENV},
    )
    yield client, name
    client.delete_function(FunctionName=name)
    iam.delete_role(RoleName=role_name)


@pytest.fixture
def scc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, moto: MotoServer):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        where = ["--region", "us-east-1", "--endpoint-url", moto.endpoint]
        result = runner.invoke(app, ["deploy-lambda", *args, *where])
        assert result.exit_code == code, result.output
        assert "Traceback" not in result.output
        return result.output

    return run


def _versions(client, name: str) -> list[str]:  # noqa: ANN001
    return [v["Version"] for v in client.list_versions_by_function(FunctionName=name)["Versions"]]


def test_dry_run_shows_the_merged_environment_masked_and_changes_nothing(scc, lam) -> None:
    client, name = lam
    before = client.get_function_configuration(FunctionName=name)
    env = ["SCC_MAIL_BACKEND=gmail", "SCC_GMAIL_SENDER=crew@example.org", "API_TOKEN=t0k"]
    out = scc("--function-name", name, *(a for e in env for a in ("--env", e)), "--dry-run")
    assert out.splitlines() == [
        f"Function {name} (python3.11, arm64) in us-east-1",
        "Environment: 6 variables; added: API_TOKEN, SCC_GMAIL_SENDER; changed: SCC_MAIL_BACKEND",
        f"Handler: lambda_function.lambda_handler -> {HANDLER}",
        "Runtime: python3.11 -> python3.12",
        "  API_TOKEN=********",
        "  SCC_DATABASE_URL=dynamodb://roster",
        "  SCC_GMAIL_SENDER=crew@example.org",
        "  SCC_GMAIL_SERVICE_ACCOUNT_JSON=********",
        "  SCC_MAIL_BACKEND=gmail",
        "  SCC_SECRET_KEY=********",
        "Dry run: would upload a package built for arm64, Python 3.12; nothing changed.",
    ]
    assert "old-secret-value" not in out and "private_key" not in out
    after = client.get_function_configuration(FunctionName=name)
    assert after["Environment"] == before["Environment"]
    assert after["CodeSha256"] == before["CodeSha256"]
    assert (after["Handler"], after["Runtime"]) == ("lambda_function.lambda_handler", "python3.11")
    assert _versions(client, name) == ["$LATEST"]


def test_deploy_merges_the_environment_updates_code_and_publishes(scc, lam, tmp_path) -> None:
    client, name = lam
    code = _zip("def lambda_handler(event, context):\n    return 2\n")
    (tmp_path / "lambda.zip").write_bytes(code)
    env = ["--env", "SCC_MAIL_BACKEND=gmail", "--env", "SCC_GMAIL_SENDER=crew@example.org"]
    out = scc("--function-name", name, "--zip", "lambda.zip", *env)
    assert out.splitlines() == [
        f"Function {name} (python3.11, arm64) in us-east-1",
        "Environment: 5 variables; added: SCC_GMAIL_SENDER; changed: SCC_MAIL_BACKEND",
        f"Handler: lambda_function.lambda_handler -> {HANDLER}",
        "Runtime: python3.11 -> python3.12",
        f"Package lambda.zip: {len(code) / 1e6:.1f} MB",
        "Updating the configuration...",
        "Uploading the code...",
        "Waiting for the update to finish...",
        "Published version 1.",
        "No function URL: health check skipped.",
    ]
    config = client.get_function_configuration(FunctionName=name)
    assert config["Environment"]["Variables"] == {
        **OLD_ENV,
        "SCC_MAIL_BACKEND": "gmail",
        "SCC_GMAIL_SENDER": "crew@example.org",
    }
    assert (config["Handler"], config["Runtime"]) == (HANDLER, "python3.12")
    assert config["CodeSha256"] == base64.b64encode(hashlib.sha256(code).digest()).decode()
    assert _versions(client, name) == ["$LATEST", "1"]

    out = scc("--function-name", name, "--zip", "lambda.zip")
    assert "Environment: 5 variables; added: none; changed: none" in out
    assert f"Function {name} (python3.12, arm64) in us-east-1" in out
    assert "Updating the configuration..." not in out
    assert "Published version 2." in out
    assert (
        client.get_function_configuration(FunctionName=name)["Environment"] == config["Environment"]
    )


def test_health_is_checked_after_the_deploy(scc, lam, tmp_path, live_server: LiveServer) -> None:
    client, name = lam
    client.create_function_url_config(FunctionName=name, AuthType="NONE")
    (tmp_path / "lambda.zip").write_bytes(_zip("x = 1\n"))
    out = scc("--function-name", name, "--zip", "lambda.zip", "--health-url", live_server.url)
    assert out.splitlines()[-1].startswith(f"Health check {live_server.url}/api/health: 200 {{")
    down = f"http://127.0.0.1:{free_port()}"
    out = scc("--function-name", name, "--zip", "lambda.zip", "--health-url", down, code=1)
    assert out.splitlines()[-1].startswith(f"Health check {down}/api/health: unreachable ")
    assert _versions(client, name) == ["$LATEST", "1", "2"]


def test_a_missing_function_is_one_line(scc, lam) -> None:
    out = scc("--function-name", "nope", "--env", "A=1", code=2)
    assert out.strip() == "No Lambda function 'nope' in us-east-1."


@pytest.mark.parametrize("pair", ["NOEQUALS", "=x", "1ABC=x", "SPA CE=x"])
def test_a_bad_env_argument_is_one_line(scc, lam, pair: str) -> None:
    client, name = lam
    out = scc("--function-name", name, "--env", pair, code=2)
    key = pair.split("=")[0]
    assert out.strip() == (
        f"--env {key!r}: expected KEY=VALUE with a KEY of letters, digits and _ "
        "(starting with a letter)."
    )
    assert client.get_function_configuration(FunctionName=name)["Environment"]["Variables"] == (
        OLD_ENV
    )


def test_missing_credentials_are_one_line(scc, tmp_path, monkeypatch) -> None:
    for key in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)  # it keeps credentials it found
    out = scc("--function-name", "shipcaptaincrew", code=2)
    assert out.strip() == (
        "No AWS credentials: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY."
    )


def test_without_zip_it_builds_and_a_failed_build_is_one_line(scc, lam, tmp_path) -> None:
    client, name = lam
    (tmp_path / "cache").write_text("a file where the wheel cache folder should be")
    out = scc("--function-name", name, "--cache", "cache", code=1)
    assert "Building the package for arm64, Python 3.12..." in out
    # The builder's own reason follows (its wording belongs to aws_package, and which
    # check fails first depends on whether this machine has python3.12): one line, no trace.
    assert out.splitlines()[-1].startswith("Building the package failed: ")
    assert "Traceback" not in out
    assert client.get_function_configuration(FunctionName=name)["Handler"] == (
        "lambda_function.lambda_handler"
    )
    assert _versions(client, name) == ["$LATEST"]


def test_masking_by_name_and_url_passwords() -> None:
    from shipcaptaincrew.cli_aws import masked

    assert masked("SCC_SMTP_PASSWORD", "pw") == "********"
    assert masked("scc_api_key", "k") == "********"
    assert masked("SCC_GMAIL_SERVICE_ACCOUNT_JSON", "{}") == "********"
    assert masked("SCC_DATABASE_URL", "postgresql://scc:hunter2@db:5432/scc") == (
        "postgresql://scc:********@db:5432/scc"
    )
    assert masked("SCC_DATABASE_URL", "dynamodb://roster?region=us-east-1") == (
        "dynamodb://roster?region=us-east-1"
    )
    assert masked("SCC_ORG_NAME", "Harbour Tours") == "Harbour Tours"
