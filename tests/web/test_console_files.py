"""The console's files as the local server sends them: from memory, gzipped once, with an
ETag, the app's security headers and its one 404; an edited file is sent as edited."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from shipcaptaincrew.web import errors
from shipcaptaincrew.web.app import STATIC, create_app
from shipcaptaincrew.web.console_files import ConsoleFiles
from tests.conftest import make_settings


@pytest.fixture
def app_client(tmp_path, sqlite_store) -> TestClient:
    return TestClient(create_app(make_settings(tmp_path), store=sqlite_store))


@pytest.fixture
def folder_client(tmp_path) -> tuple[Path, TestClient]:
    folder = tmp_path / "console"
    (folder / "js").mkdir(parents=True)
    (folder / "index.html").write_text("<!doctype html><title>x</title>")
    (folder / "js" / "a.js").write_text("export const a = 1;\n" * 200)
    (tmp_path / "secret.txt").write_text("not for the web")
    (folder / ".hidden").write_text("dotfile")
    app = FastAPI()
    errors.install(app)
    app.mount("/", ConsoleFiles(folder))
    return folder, TestClient(app)


def test_a_module_is_sent_gzipped_with_its_type_and_the_same_bytes_as_on_disk(app_client):
    r = app_client.get("/console.js", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200
    assert r.headers["content-encoding"] == "gzip"
    assert r.headers["content-type"] == "text/javascript; charset=utf-8"
    assert r.headers["vary"] == "Accept-Encoding"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.content == (STATIC / "console.js").read_bytes()
    plain = app_client.get("/console.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.content == r.content
    assert int(plain.headers["content-length"]) == len(plain.content)


def test_the_page_answers_at_the_root_and_by_name(app_client):
    root, named = app_client.get("/"), app_client.get("/index.html")
    assert root.status_code == named.status_code == 200
    assert root.headers["content-type"] == "text/html; charset=utf-8"
    assert root.content == named.content == (STATIC / "index.html").read_bytes()


def test_an_unchanged_file_is_a_304_without_a_body(app_client):
    etag = app_client.get("/css/console.css").headers["etag"]
    r = app_client.get("/css/console.css", headers={"If-None-Match": f'"other", {etag}'})
    assert r.status_code == 304
    assert r.content == b""
    assert r.headers["etag"] == etag
    other = app_client.get("/css/console.css", headers={"If-None-Match": '"other"'})
    assert other.status_code == 200


def test_head_has_the_length_and_no_body_and_other_methods_are_refused(app_client):
    head = app_client.head("/css/console.css", headers={"Accept-Encoding": "identity"})
    assert head.status_code == 200
    assert head.content == b""
    assert int(head.headers["content-length"]) == len((STATIC / "css" / "console.css").read_bytes())
    post = app_client.post("/css/console.css")
    assert post.status_code == 405
    assert post.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize("path", ["/nope.js", "/js", "/js/nope.js", "/%2e%2e/secret.txt"])
def test_what_is_not_a_file_of_the_console_is_the_apps_404(folder_client, path):
    _folder, client = folder_client
    r = client.get(path)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


def test_nothing_outside_the_folder_or_hidden_is_served(folder_client):
    _folder, client = folder_client
    for raw in ("/../secret.txt", "/js/../../secret.txt", "/.hidden", "/js/..%2f..%2fsecret.txt"):
        r = client.request("GET", "http://testserver" + raw)
        assert r.status_code == 404, raw
        assert b"not for the web" not in r.content and b"dotfile" not in r.content


def test_an_edited_file_is_sent_as_edited(folder_client):
    folder, client = folder_client
    first = client.get("/js/a.js", headers={"Accept-Encoding": "gzip"})
    path = folder / "js" / "a.js"
    path.write_text("export const a = 2;\n" * 300)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    second = client.get("/js/a.js", headers={"Accept-Encoding": "gzip"})
    assert second.text == "export const a = 2;\n" * 300
    assert second.headers["etag"] != first.headers["etag"]
    stale = client.get("/js/a.js", headers={"If-None-Match": first.headers["etag"]})
    assert stale.status_code == 200


def test_a_small_file_is_sent_as_it_is(folder_client):
    _folder, client = folder_client
    r = client.get("/index.html", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in r.headers
    assert "vary" not in r.headers
    assert r.content == b"<!doctype html><title>x</title>"
