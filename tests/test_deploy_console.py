"""`scc deploy-console` against moto's S3 and CloudFront (boto3 through AWS_ENDPOINT_URL)."""

from __future__ import annotations

import boto3
import pytest
from typer.testing import CliRunner

from shipcaptaincrew.cli import app
from shipcaptaincrew.domain.models import new_id
from shipcaptaincrew.web.app import STATIC
from tests.moto_server import CREDENTIALS, MotoServer


@pytest.fixture
def aws(moto: MotoServer, monkeypatch):
    for name, value in {**CREDENTIALS, "AWS_ENDPOINT_URL": moto.endpoint}.items():
        monkeypatch.setenv(name, value)
    s3 = boto3.client("s3")
    bucket = new_id("scc-console").replace("_", "-")
    s3.create_bucket(Bucket=bucket)
    cloudfront = boto3.client("cloudfront")
    origin = {
        "Id": "s3",
        "DomainName": f"{bucket}.s3.amazonaws.com",
        "S3OriginConfig": {"OriginAccessIdentity": ""},
    }
    dist = cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": new_id("ref"),
            "Comment": "",
            "Enabled": True,
            "Origins": {"Quantity": 1, "Items": [origin]},
            "DefaultCacheBehavior": {
                "TargetOriginId": "s3",
                "ViewerProtocolPolicy": "allow-all",
                "MinTTL": 0,
                "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
            },
        }
    )["Distribution"]["Id"]
    monkeypatch.setenv("SCC_CONSOLE_BUCKET", bucket)
    monkeypatch.setenv("SCC_DISTRIBUTION_ID", dist)
    return s3, cloudfront, dist, bucket


@pytest.mark.parametrize("staging,prefix", [(True, "_staging/"), (False, "")])
def test_deploy_console_uploads_and_invalidates(aws, staging, prefix) -> None:
    s3, cloudfront, dist, bucket = aws
    args = ["deploy-console", "--staging"] if staging else ["deploy-console"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    files = sorted(
        p.relative_to(STATIC).as_posix()
        for p in STATIC.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    )
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=prefix)["Contents"]
    keys = sorted(o["Key"] for o in listed if o["Key"].startswith(prefix))
    assert keys == [prefix + f for f in files]
    index = s3.head_object(Bucket=bucket, Key=prefix + "index.html")
    assert index["ContentType"] == "text/html"
    assert index["CacheControl"] == "no-cache"
    module = s3.head_object(Bucket=bucket, Key=prefix + "console.js")
    assert module["ContentType"] == "text/javascript"
    assert module["CacheControl"] == "public, max-age=300"
    worker = s3.head_object(Bucket=bucket, Key=prefix + "sw.js")
    assert (worker["ContentType"], worker["CacheControl"]) == ("text/javascript", "no-cache")
    manifest = s3.head_object(Bucket=bucket, Key=prefix + "manifest.webmanifest")
    assert (manifest["ContentType"], manifest["CacheControl"]) == (
        "application/manifest+json",
        "no-cache",
    )
    invalidations = cloudfront.list_invalidations(DistributionId=dist)["InvalidationList"]
    assert invalidations["Quantity"] >= 1
    latest = cloudfront.get_invalidation(DistributionId=dist, Id=invalidations["Items"][0]["Id"])[
        "Invalidation"
    ]
    assert latest["InvalidationBatch"]["Paths"]["Items"] == [f"/{prefix}*"]
    assert f"Uploaded {len(files)} files to s3://{bucket}/{prefix};" in result.output


def test_deploy_console_needs_its_settings(monkeypatch) -> None:
    monkeypatch.delenv("SCC_CONSOLE_BUCKET", raising=False)
    result = CliRunner().invoke(app, ["deploy-console"])
    assert result.exit_code == 1
    assert "Set SCC_CONSOLE_BUCKET" in result.output
