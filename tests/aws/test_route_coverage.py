"""CloudFront must send every path the Lambda app serves to the Lambda origin, and every
console file to S3. Production once sent a new route to S3 (the waiver page fell through to
the console); with this test, adding such a route fails CI."""

from __future__ import annotations

import re
from fnmatch import fnmatchcase

import pytest
from fastapi import FastAPI

from shipcaptaincrew.web import app as web_app
from shipcaptaincrew.web.app import create_app
from shipcaptaincrew.web.route_table import route_table
from tests.aws.cfn import ALL_VIEWER_EXCEPT_HOST, CACHING_DISABLED, load_template

STATIC = web_app.STATIC


def _distribution() -> dict:
    return load_template()["Resources"]["Distribution"]["Properties"]["DistributionConfig"]


def _origin_kinds() -> dict[str, str]:
    kinds = {}
    for origin in _distribution()["Origins"]:
        if "S3OriginConfig" in origin:
            kinds[origin["Id"]] = "s3"
        elif "FunctionUrl" in repr(origin["DomainName"]):
            kinds[origin["Id"]] = "lambda"
    return kinds


def origin_for(path: str) -> tuple[str, dict]:
    """The origin kind CloudFront picks for ``path``: behaviours in order, then the default."""
    config = _distribution()
    kinds = _origin_kinds()
    for behaviour in config["CacheBehaviors"]:
        if fnmatchcase(path, behaviour["PathPattern"]):
            return kinds[behaviour["TargetOriginId"]], behaviour
    default = config["DefaultCacheBehavior"]
    return kinds[default["TargetOriginId"]], default


def _sample(path: str) -> str:
    """A concrete request path for a route template: /g/{token} -> /g/x1."""
    return re.sub(r"\{[^}:]+(:path)?\}", lambda m: "a/b" if m.group(1) else "x1", path)


def served_by_lambda(app: FastAPI) -> list[str]:
    """Sample paths of every route and mount the app serves, except the console at "/"."""
    paths = []
    for route in route_table(app):
        if route.mount and route.path in ("", "/"):
            continue  # the console: S3 on AWS
        sample = _sample(route.path)
        paths.append(f"{sample}/x.css" if route.mount else sample)
    return paths


def console_files() -> list[str]:
    if not STATIC.is_dir():
        return []
    return sorted(
        "/" + p.relative_to(STATIC).as_posix()
        for p in STATIC.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    )


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    from tests.conftest import make_settings

    var = tmp_path_factory.mktemp("routes")
    return create_app(make_settings(var))


def test_every_app_route_reaches_the_lambda_origin(app: FastAPI) -> None:
    paths = served_by_lambda(app)
    assert "/api/health" in paths and "/admin/login" in paths and "/docs/assets/x.css" in paths
    assert "/api/ready" in paths
    assert "/api/webhooks/x1" in paths and "/g/x1/pay" in paths  # providers post here
    wrong = {p: origin_for(p)[0] for p in paths if origin_for(p)[0] != "lambda"}
    assert wrong == {}


def test_app_behaviours_never_cache_and_forward_viewer_headers(app: FastAPI) -> None:
    for path in served_by_lambda(app):
        _kind, behaviour = origin_for(path)
        assert behaviour["CachePolicyId"] == CACHING_DISABLED, path
        assert behaviour["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST, path
        assert behaviour["ViewerProtocolPolicy"] == "redirect-to-https", path
        if path.startswith(("/api/", "/g/", "/admin/")):
            assert {"POST", "PATCH", "DELETE"} <= set(behaviour["AllowedMethods"]), path


def test_console_files_and_staging_copy_come_from_s3() -> None:
    files = console_files() or ["/index.html"]
    for path in ["/", *files]:
        assert origin_for(path)[0] == "s3", path
        assert origin_for("/_staging" + path)[0] == "s3", path
    assert origin_for("/_staging/index.html")[1]["CachePolicyId"] == CACHING_DISABLED


def test_a_route_cloudfront_would_send_to_s3_is_caught(app: FastAPI) -> None:
    """The check itself can fail: a waiver page outside the routed prefixes goes to S3."""
    probe = FastAPI(docs_url=None, redoc_url=None)

    @probe.get("/waiver/{token}")
    def waiver(token: str) -> dict[str, str]:
        return {"token": token}

    # The app's own routes after it (include_router refuses the console mounted at "/").
    probe.router.routes.extend(app.router.routes)

    missed = [p for p in served_by_lambda(probe) if origin_for(p)[0] != "lambda"]
    assert missed == ["/waiver/x1"]


def test_console_files_are_not_shadowed_by_app_behaviours() -> None:
    """A console file under /api/, /g/ or /admin/ would never be served from S3."""
    for path in console_files():
        assert not path.startswith(("/api/", "/g/", "/admin/", "/docs", "/openapi.json")), path
