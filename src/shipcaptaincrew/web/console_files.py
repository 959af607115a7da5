"""The console's files (HTML, CSS, modules) served by the local server from memory.

A first load asks for about 40 files at once and one worker answers them one after the
other, so each file's cost is paid by the whole load: kept in memory with its gzipped
body and ETag (read again only when the file on disk changes, so an edited console is
served at once), a file costs a dictionary lookup and a ``stat`` instead of a thread hop
to open, read and compress it. In production CloudFront serves these files from S3.

Only files found under the folder are served (a path is looked up, never joined), ``/``
and folders answer with their ``index.html``, and anything else is the same 404 as the
rest of the app.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.types import Receive, Scope, Send

# The GZip middleware's threshold: smaller bodies are sent as they are.
MIN_GZIP = 1024


@dataclass(frozen=True)
class _File:
    stamp: tuple[int, int]  # (mtime_ns, size): read again when either changes
    body: bytes
    gzipped: bytes | None
    etag: bytes
    headers: list[tuple[bytes, bytes]]


def _read(path: Path, stamp: tuple[int, int]) -> _File:
    body = path.read_bytes()
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind == "application/javascript":
        kind += "; charset=utf-8"
    if path.suffix == ".webmanifest":
        kind = "application/manifest+json"
    packed = gzip.compress(body, compresslevel=9, mtime=0) if len(body) >= MIN_GZIP else None
    etag = f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"'.encode()
    headers = [
        (b"content-type", kind.encode()),
        (b"etag", etag),
        (b"last-modified", formatdate(stamp[0] / 1e9, usegmt=True).encode()),
    ]
    return _File(stamp, body, packed if packed and len(packed) < len(body) else None, etag, headers)


def _route_path(scope: Scope) -> str:
    """The path below the mount (Starlette keeps the full path and names the mount's
    prefix in ``root_path``)."""
    path, root = scope["path"], scope.get("root_path", "")
    if root and path.startswith(root) and path[len(root) : len(root) + 1] in ("", "/"):
        return path[len(root) :]
    return path


class ConsoleFiles:
    """ASGI app serving ``folder``'s files from memory (``StaticFiles(html=True)``'s
    answers, with gzip and ``If-None-Match`` handled here)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()
        self.files: dict[str, _File] = {}

    def _lookup(self, path: str) -> Path | None:
        parts = [p for p in path.split("/") if p]
        if any(p in (".", "..") or p.startswith(".") or "\\" in p for p in parts):
            return None
        found = self.folder.joinpath(*parts)
        if found.is_dir():
            found = found / "index.html"
        return found if found.is_file() else None

    def _file(self, path: str) -> _File | None:
        found = self._lookup(path)
        if found is None:
            return None
        info = os.stat(found)
        stamp = (info.st_mtime_ns, info.st_size)
        key = str(found)  # one entry per file, however its path was spelt
        kept = self.files.get(key)
        if kept is None or kept.stamp != stamp:
            kept = self.files[key] = _read(found, stamp)
        return kept

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] not in ("GET", "HEAD"):
            raise HTTPException(status_code=405, headers={"Allow": "GET, HEAD"})
        kept = self._file(_route_path(scope))
        if kept is None:
            raise HTTPException(status_code=404)
        headers = dict(scope["headers"])
        if kept.etag in [t.strip() for t in headers.get(b"if-none-match", b"").split(b",")]:
            await send({"type": "http.response.start", "status": 304, "headers": kept.headers})
            await send({"type": "http.response.body", "body": b""})
            return
        body, extra = kept.body, [(b"vary", b"Accept-Encoding")] if kept.gzipped else []
        if kept.gzipped and b"gzip" in headers.get(b"accept-encoding", b""):
            body = kept.gzipped
            extra.append((b"content-encoding", b"gzip"))
        extra.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": kept.headers + extra})
        if scope["method"] == "HEAD":
            body = b""
        await send({"type": "http.response.body", "body": body})
