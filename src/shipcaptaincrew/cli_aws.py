"""``scc package``, ``scc deploy-console`` and ``scc deploy-lambda``: the AWS deploy commands."""

from __future__ import annotations

import contextlib
import mimetypes
import os
import re
import time
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer()


class Arch(StrEnum):
    ARM64 = "arm64"
    X86_64 = "x86_64"


@app.command()
def package(
    arch: Annotated[Arch, typer.Option(help="Lambda architecture (the template's: arm64).")] = (
        Arch.ARM64
    ),
    python: Annotated[str, typer.Option(help="Lambda Python version.")] = "3.12",
    out: Annotated[Path, typer.Option(help="The zip to write.")] = Path("dist/lambda.zip"),
    cache: Annotated[
        Path | None,
        typer.Option(
            help="Wheel and dependency cache "
            "[default: $SCC_WHEEL_CACHE or ~/.cache/shipcaptaincrew]."
        ),
    ] = None,
) -> None:
    """Build the Lambda package reproducibly and report its size."""
    from .aws_package import PackageError, build

    try:
        built = build(out, arch=arch.value, python=python, cache=cache)
    except PackageError as err:
        typer.secho(str(err), fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{built.path}: {built.size / 1e6:.1f} MB, {built.files} files ({arch.value}).")


def _setting(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        typer.secho(f"Set {name} (see the stack outputs).", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
    return value


# Types a deploying machine may not know, and files a browser must always revalidate: the
# page itself, the service worker (a stale one would keep serving an old console) and the
# web app manifest.
CONSOLE_TYPES = {".webmanifest": "application/manifest+json", ".js": "text/javascript"}
ALWAYS_REVALIDATE = {"sw.js", "manifest.webmanifest"}


def console_headers(path: Path) -> tuple[str, str]:
    """The Content-Type and Cache-Control a console file is uploaded with."""
    kind = CONSOLE_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0]
    fresh = path.suffix == ".html" or path.name in ALWAYS_REVALIDATE
    return kind or "application/octet-stream", "no-cache" if fresh else "public, max-age=300"


@app.command("deploy-console")
def deploy_console(
    staging: Annotated[bool, typer.Option(help="Upload to the _staging/ copy.")] = False,
) -> None:
    """Upload the console (web/static) to S3 and invalidate CloudFront's copy.

    Bucket and distribution come from SCC_CONSOLE_BUCKET and SCC_DISTRIBUTION_ID."""
    import boto3

    from .web.app import STATIC

    bucket = _setting("SCC_CONSOLE_BUCKET")
    distribution = _setting("SCC_DISTRIBUTION_ID")
    prefix = "_staging/" if staging else ""
    s3 = boto3.client("s3")
    files = sorted(p for p in STATIC.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for path in files:
        key = prefix + path.relative_to(STATIC).as_posix()
        kind, cache = console_headers(path)
        s3.upload_file(
            str(path), bucket, key, ExtraArgs={"ContentType": kind, "CacheControl": cache}
        )
    cloudfront = boto3.client("cloudfront")
    res = cloudfront.create_invalidation(
        DistributionId=distribution,
        InvalidationBatch={
            "Paths": {"Quantity": 1, "Items": [f"/{prefix}*"]},
            "CallerReference": f"scc-{time.time_ns()}",
        },
    )
    typer.echo(
        f"Uploaded {len(files)} files to s3://{bucket}/{prefix}; "
        f"invalidation {res['Invalidation']['Id']}."
    )


# -- scc deploy-lambda: the existing function's update path ----------------------------------
SECRET_MARKERS = ("SECRET", "PASSWORD", "TOKEN", "KEY", "JSON")
HANDLER = "shipcaptaincrew.lambda_function.lambda_handler"  # as in deploy/aws/template.yaml
RUNTIME = "python3.12"  # the oldest runtime the package is built and tested for
ENV_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def _env_pairs(pairs: list[str]) -> dict[str, str]:
    """``KEY=VALUE`` arguments as a dict; one clear line (exit 2) for a malformed one."""
    env: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not ENV_NAME.fullmatch(key):
            typer.secho(
                f"--env {pair.split('=')[0]!r}: expected KEY=VALUE with a KEY of letters, "
                "digits and _ (starting with a letter).",
                fg=typer.colors.RED,
                err=True,
            )
            raise typer.Exit(2)
        env[key] = value
    return env


def masked(key: str, value: str) -> str:
    """The value as it may be printed: secrets (by their name) are masked, and so is the
    password of a URL (``postgresql://user:********@host/db``)."""
    if any(m in key.upper() for m in SECRET_MARKERS):
        return "********"
    return re.sub(r"(://[^/:@]*:)[^/@]*@", r"\1********@", value)


def _stop(message: str, code: int = 2) -> typer.Exit:
    typer.secho(message, fg=typer.colors.RED, err=True)
    return typer.Exit(code)


@contextlib.contextmanager
def _aws_errors(function: str, region: str) -> Iterator[None]:
    """One line per AWS failure: a missing function or credentials exit 2, the rest 1."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, WaiterError

    try:
        yield
    except NoCredentialsError:
        raise _stop(
            "No AWS credentials: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY."
        ) from None
    except ClientError as err:
        error = err.response.get("Error", {})
        if error.get("Code") == "ResourceNotFoundException":
            raise _stop(f"No Lambda function {function!r} in {region}.") from None
        raise _stop(f"{error.get('Code')}: {error.get('Message')}", 1) from None
    except WaiterError as err:
        why = (err.last_response or {}).get("Configuration", {}).get("LastUpdateStatusReason")
        raise _stop(f"The update of {function!r} did not finish: {why or err}", 1) from None
    except BotoCoreError as err:
        raise _stop(f"AWS: {err}", 1) from None


def _health(url: str) -> tuple[int, str]:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=15) as res:  # noqa: S310 - https/http URL
            return res.status, res.read(200).decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return err.code, err.read(200).decode("utf-8", "replace")
    except (urllib.error.URLError, OSError) as err:
        return 0, str(getattr(err, "reason", err))


@app.command("deploy-lambda")
def deploy_lambda(
    function_name: Annotated[str, typer.Option(help="The Lambda function to update.")],
    env: Annotated[
        list[str] | None, typer.Option("--env", help="KEY=VALUE to add or change (repeatable).")
    ] = None,
    dry_run: Annotated[bool, typer.Option(help="Show the merged environment; change nothing.")] = (
        False
    ),
    zip_path: Annotated[
        Path | None, typer.Option("--zip", help="Deploy this zip instead of building one.")
    ] = None,
    out: Annotated[Path, typer.Option(help="Where to build the zip.")] = Path("dist/lambda.zip"),
    cache: Annotated[Path, typer.Option(help="Wheel cache.")] = Path(".cache/lambda-wheels"),
    region: Annotated[str | None, typer.Option(help="AWS region (else AWS_REGION).")] = None,
    endpoint_url: Annotated[str | None, typer.Option(help="Lambda endpoint (testing).")] = None,
    health_url: Annotated[
        str | None, typer.Option(help="Check /api/health here (default: the function URL).")
    ] = None,
) -> None:
    """Update an existing function: build the package, merge (never replace) its environment
    with --env, upload the code, wait for the update, publish a version, check /api/health."""
    import boto3
    from botocore.exceptions import NoRegionError

    changes = _env_pairs(env or [])
    try:
        client = boto3.client("lambda", region_name=region, endpoint_url=endpoint_url)
    except NoRegionError:
        raise _stop("No AWS region: pass --region or set AWS_REGION.") from None
    where = client.meta.region_name
    with _aws_errors(function_name, where):
        config = client.get_function_configuration(FunctionName=function_name)
    arch = (config.get("Architectures") or ["x86_64"])[0]
    runtime = str(config.get("Runtime", ""))
    typer.echo(f"Function {function_name} ({runtime}, {arch}) in {where}")
    current = (config.get("Environment") or {}).get("Variables", {})
    merged = {**current, **changes}
    added = sorted(k for k in changes if k not in current)
    changed = sorted(k for k in changes if k in current and current[k] != changes[k])
    typer.echo(
        f"Environment: {len(merged)} variables; added: {', '.join(added) or 'none'}; "
        f"changed: {', '.join(changed) or 'none'}"
    )
    update: dict[str, object] = {"Environment": {"Variables": merged}} if added or changed else {}
    if config.get("Handler") != HANDLER:
        typer.echo(f"Handler: {config.get('Handler')} -> {HANDLER}")
        update["Handler"] = HANDLER
    minor = runtime.removeprefix("python3.")
    if not (runtime.startswith("python3.") and minor.isdigit() and int(minor) >= 12):
        typer.echo(f"Runtime: {runtime} -> {RUNTIME}")
        update["Runtime"] = runtime = RUNTIME
    python = runtime.removeprefix("python")
    if dry_run:
        for key in sorted(merged):
            typer.echo(f"  {key}={masked(key, merged[key])}")
        source = zip_path or f"a package built for {arch}, Python {python}"
        typer.echo(f"Dry run: would upload {source}; nothing changed.")
        return
    if zip_path is None:
        from .aws_package import build

        typer.echo(f"Building the package for {arch}, Python {python}...")
        try:
            zip_path = build(out, arch=arch, python=python, cache=cache).path
        except (RuntimeError, ValueError, OSError) as err:
            first = (str(err).splitlines() or [""])[0]
            raise _stop(f"Building the package failed: {first}", 1) from None
    try:
        code = zip_path.read_bytes()
    except OSError as err:
        raise _stop(f"Cannot read {zip_path}: {err.strerror}") from None
    typer.echo(f"Package {zip_path}: {len(code) / 1e6:.1f} MB")
    waiter = client.get_waiter("function_updated_v2")
    with _aws_errors(function_name, where):
        if update:
            typer.echo("Updating the configuration...")
            # The revision read above: a change made since then is refused, not overwritten.
            guard = {"RevisionId": config["RevisionId"]} if config.get("RevisionId") else {}
            client.update_function_configuration(FunctionName=function_name, **update, **guard)
            waiter.wait(FunctionName=function_name)
        typer.echo("Uploading the code...")
        res = client.update_function_code(FunctionName=function_name, ZipFile=code)
        typer.echo("Waiting for the update to finish...")
        waiter.wait(FunctionName=function_name)
        version = client.publish_version(
            FunctionName=function_name,
            CodeSha256=res["CodeSha256"],
            Description=f"scc deploy-lambda {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}",
        )
        typer.echo(f"Published version {version['Version']}.")
        if health_url is None:
            try:
                health_url = client.get_function_url_config(FunctionName=function_name)[
                    "FunctionUrl"
                ]
            except client.exceptions.ResourceNotFoundException:
                typer.echo("No function URL: health check skipped.")
                return
    target = health_url.rstrip("/") + "/api/health"
    status, body = _health(target)
    if status != 200:
        raise _stop(f"Health check {target}: {status or 'unreachable'} {body}".strip(), 1)
    typer.echo(f"Health check {target}: {status} {body}")
