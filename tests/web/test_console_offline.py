"""The local server serves the console's service worker and manifest from the console's
root, with the types a browser requires, under the strict CSP."""

from __future__ import annotations

from fastapi.testclient import TestClient

from shipcaptaincrew.web.app import create_app
from shipcaptaincrew.web.middleware import CSP
from tests.conftest import make_settings


def test_worker_and_manifest_are_served_from_the_console_root(tmp_path, sqlite_store) -> None:
    client = TestClient(create_app(make_settings(tmp_path), store=sqlite_store))
    worker = client.get("/sw.js")
    assert worker.status_code == 200
    assert worker.headers["content-type"].split(";")[0] == "text/javascript"
    assert worker.headers["content-security-policy"] == CSP
    assert "const CACHE = 'scc-console-shell-v2';" in worker.text
    manifest = client.get("/manifest.webmanifest")
    assert manifest.status_code == 200
    assert manifest.headers["content-type"] == "application/manifest+json"
    assert manifest.json()["short_name"] == "Dispatch"
    icon = client.get("/icon.svg")
    assert (icon.status_code, icon.headers["content-type"]) == (200, "image/svg+xml")
