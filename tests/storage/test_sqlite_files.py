"""The SQLite database, its -wal and -shm files and its folder are private to the owner."""

from __future__ import annotations

import os
import stat

from shipcaptaincrew.storage.sql import SqlStore
from tests import factories as f


def test_database_files_are_0600_in_a_0700_folder(tmp_path) -> None:
    old = os.umask(0o000)  # the most permissive umask: the modes must not depend on it
    try:
        store = SqlStore(f"sqlite:///{tmp_path / 'data' / 'scc.db'}")
        store.init_schema()
        store.add_crew(f.crew_record(), f.audit_entry())
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "data").iterdir()}
        store.close()
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
    assert modes == {
        "scc.db": 0o600,
        "scc.db-wal": 0o600,
        "scc.db-shm": 0o600,
        "scc.db-signins": 0o600,  # the stamp of the sign-ins kept (signin_cache.py)
    }
