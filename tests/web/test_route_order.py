"""The order of the app's routes: the areas a cold start meets first come first (FastAPI
builds every area a request walks past), which is safe only while no path and method is
served twice."""

from __future__ import annotations

import re
from collections import Counter

from starlette.routing import compile_path

from shipcaptaincrew.web.app import BUSIEST, create_app
from shipcaptaincrew.web.route_table import route_table
from tests.conftest import make_settings


def test_no_path_and_method_is_served_twice(tmp_path, sqlite_store) -> None:
    table = route_table(create_app(make_settings(tmp_path), store=sqlite_store))
    served = Counter((r.path, m) for r in table if not r.mount for m in r.methods)
    assert [key for key, n in served.items() if n > 1] == []


def test_who_am_i_sign_in_and_the_roster_come_before_guest_pages_and_the_rest(
    tmp_path, sqlite_store
) -> None:
    paths = [r.path for r in route_table(create_app(make_settings(tmp_path), store=sqlite_store))]
    first_guest = next(i for i, p in enumerate(paths) if p.startswith("/g/"))
    for path in ("/api/me", "/admin/login", "/api/events", "/api/events/{event_id}/roster"):
        assert paths.index(path) < first_guest, path
    # The rest of /api after the guest pages: a patron's first request walks past less.
    assert first_guest < paths.index("/api/events/{event_id}/cashup")
    assert paths.index("/api/me") < paths.index("/api/events")


def test_the_busiest_requests_are_tried_first_and_take_no_other_routes_path(
    tmp_path, sqlite_store
) -> None:
    table = route_table(create_app(make_settings(tmp_path), store=sqlite_store))
    api = [(m, r.path) for r in table if r.path.startswith("/api/") for m in sorted(r.methods)]
    assert api[: len(BUSIEST)] == list(BUSIEST)
    # Tried first, a busiest route answers only its own paths: no other route's path (its
    # parameters filled in) with one of its methods matches its pattern.
    for method, path in BUSIEST:
        pattern = compile_path(path)[0]
        taken = [
            r.path
            for r in table
            if r.path != path
            and method in r.methods
            and pattern.match(re.sub(r"\{[^}]+\}", "x", r.path))
        ]
        assert taken == [], (method, path)
