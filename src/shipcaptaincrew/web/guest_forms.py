"""The checks a guest form post must pass: it came from our own page (same origin, by
Fetch Metadata or ``Origin``), it carries the signed per-page form token we issued for this
guest link within the last 12 hours, and it is a small URL-encoded form."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import parse_qs, urlsplit

from fastapi import Request

from ..domain.errors import Invalid
from ..services.context import Context

FORM_TOKEN_TTL_S = 12 * 3600
MAX_FORM_FIELDS = 20


def form_token(ctx: Context, token: str, issued: int) -> str:
    key = ctx.settings.secret_key.encode()
    mac = hmac.new(key, f"guest-waiver:{token}:{issued}".encode(), hashlib.sha256).hexdigest()
    return f"{issued}.{mac}"


def form_token_ok(ctx: Context, token: str, sent: str) -> bool:
    issued_raw, _, _mac = sent.partition(".")
    if not issued_raw.isdigit():
        return False
    issued = int(issued_raw)
    if not 0 <= ctx.now().timestamp() - issued <= FORM_TOKEN_TTL_S:
        return False
    return hmac.compare_digest(form_token(ctx, token, issued), sent)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def same_origin(ctx: Context, request: Request) -> bool:
    """The form post came from our own page: Fetch Metadata when the browser sends it,
    else the Origin header when it names a real origin."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return site is not None or origin is None
    allowed = {_origin(str(request.base_url)), _origin(ctx.settings.public_url)}
    return origin.lower() in allowed


async def read_form(request: Request, max_fields: int = MAX_FORM_FIELDS) -> dict[str, str]:
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise Invalid("Please send the form from the waiver page.")
    try:
        text = (await request.body()).decode("utf-8")
        parsed = parse_qs(text, keep_blank_values=True, max_num_fields=max_fields)
    except (UnicodeDecodeError, ValueError):
        raise Invalid("The form could not be read.") from None
    return {k: v[0] for k, v in parsed.items()}
