"""``scc package`` and ``scc deploy-console``: the AWS deploy commands."""

from __future__ import annotations

import mimetypes
import os
import time
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
        typer.Option(help="Wheel cache [default: $SCC_WHEEL_CACHE or ~/.cache/shipcaptaincrew]."),
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
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        cache = "no-cache" if path.suffix == ".html" else "public, max-age=300"
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
