"""The one place adapters are chosen from settings."""

from __future__ import annotations

from .config import Settings, SettingsError
from .storage.base import Store


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

            Path(url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
        return SqlStore(url)
    raise SettingsError("SCC_DATABASE_URL must start with sqlite:///, postgresql:// or dynamodb://")
