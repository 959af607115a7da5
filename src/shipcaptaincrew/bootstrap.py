"""The one place adapters are chosen from settings."""

from __future__ import annotations

from collections.abc import Iterator
from email.utils import parseaddr
from typing import Any

from .config import Settings, SettingsError
from .notify.background import BackgroundDelivery, DeliveryProcess
from .notify.base import Sender
from .providers.base import PaymentProvider
from .storage.base import Store

__all__ = [
    "BackgroundDelivery",
    "DeliveryProcess",
    "build_delivery_process",
    "build_providers",
    "build_sender",
    "build_store",
    "scan_legacy_table",
]


def build_store(settings: Settings) -> Store:
    """A Store for ``settings.database_url``: sqlite:///..., postgresql://..., dynamodb://... ."""
    url = settings.database_url
    if url.startswith("dynamodb://"):
        from .storage.dynamodb import DynamoStore

        return DynamoStore.from_url(url)
    if url.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:")):
        from .storage.sql import SqlStore

        if url.startswith("sqlite:///"):
            from pathlib import Path

            from .config import private_dir

            private_dir(Path(url[len("sqlite:///") :]).parent)
        return SqlStore(url)
    raise SettingsError("SCC_DATABASE_URL must start with sqlite:///, postgresql:// or dynamodb://")


def build_sender(settings: Settings) -> Sender:
    """The mail sender for ``settings.mail_backend``: console (``.eml`` files under
    var/outbox/), smtp or gmail. Missing settings are named, never their values."""
    backend = settings.mail_backend
    if backend == "console":
        from .notify.console import ConsoleSender

        return ConsoleSender(settings.var_dir / "outbox")
    if backend == "smtp":
        from .notify.smtp import SmtpSender

        if not settings.smtp_host:
            raise SettingsError("SCC_SMTP_HOST is required when SCC_MAIL_BACKEND=smtp")
        if settings.smtp_username and not settings.smtp_password:
            raise SettingsError("SCC_SMTP_PASSWORD is required with SCC_SMTP_USERNAME")
        return SmtpSender(
            host=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password,
            security=settings.smtp_security,
            timeout=settings.smtp_timeout,
            ca_file=settings.smtp_ca_file,
        )
    if backend == "gmail":
        try:
            from .notify.gmail import GmailSender, load_key
        except ImportError:
            raise SettingsError(
                "SCC_MAIL_BACKEND=gmail needs the gmail extra: pip install 'shipcaptaincrew[gmail]'"
            ) from None
        if not settings.gmail_service_account_json:
            raise SettingsError("SCC_GMAIL_SERVICE_ACCOUNT_JSON is required for the gmail backend")
        sender = settings.gmail_sender or parseaddr(settings.mail_from)[1]
        if not sender:
            raise SettingsError("SCC_GMAIL_SENDER is required for the gmail backend")
        try:
            return GmailSender(
                key=load_key(settings.gmail_service_account_json),
                sender=sender,
                api_url=settings.gmail_api_url,
                token_url=settings.gmail_token_url,
                timeout=settings.smtp_timeout,
            )
        except ValueError as err:
            raise SettingsError(str(err)) from None
    raise SettingsError("SCC_MAIL_BACKEND must be console, smtp or gmail")


def build_providers(settings: Settings) -> dict[str, PaymentProvider]:
    """The payment providers whose settings are given (Stripe, PayPal); none by default."""
    out: dict[str, PaymentProvider] = {}
    if settings.stripe_secret_key:
        from .providers.stripe_api import StripeProvider

        out["stripe"] = StripeProvider(
            secret_key=settings.stripe_secret_key,
            webhook_secret=settings.stripe_webhook_secret,
            api_url=settings.stripe_api_url,
        )
    if settings.paypal_client_id:
        from .providers.paypal_api import PayPalProvider

        out["paypal"] = PayPalProvider(
            client_id=settings.paypal_client_id,
            client_secret=settings.paypal_client_secret,
            webhook_id=settings.paypal_webhook_id,
            api_url=settings.paypal_api_url,
        )
    return out


def scan_legacy_table(
    table: str, *, region: str | None, endpoint_url: str | None
) -> Iterator[dict[str, Any]]:
    """The previous system's items, read-only (``scc import-legacy --table``); boto3 is
    loaded here, only when asked. ``domain.legacy.SourceError`` when it cannot be read."""
    from .storage.legacy_table import scan_items

    return scan_items(table, region=region, endpoint_url=endpoint_url)


def build_delivery_process() -> DeliveryProcess:
    """Email delivery in a process of its own, ``scc outbox follow``, which builds its store
    and sender from the same environment as this process."""
    import sys

    return DeliveryProcess([sys.executable, "-m", "shipcaptaincrew", "outbox", "follow"])
