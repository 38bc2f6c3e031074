"""Where attachments' bytes live: one ``Storage`` interface, a local folder or an S3-compatible bucket.

``make_storage(settings)`` builds the configured backend; ``get_storage`` (``StorageDep``) is the FastAPI
dependency that builds it once per app, lazily, and keeps it on ``app.state.storage``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from huiyin.settings import Settings, StorageSettings
from huiyin.storage.base import BlobNotFound, InvalidKey, Storage, StorageError, check_key
from huiyin.storage.local import LocalStorage

__all__ = [
    "BlobNotFound",
    "InvalidKey",
    "LocalStorage",
    "S3Storage",
    "Storage",
    "StorageDep",
    "StorageError",
    "check_key",
    "get_storage",
    "make_storage",
]


def make_storage(settings: Settings | StorageSettings) -> Storage:
    """The backend ``settings.storage.backend`` names (``local`` or ``s3``)."""
    conf = settings.storage if isinstance(settings, Settings) else settings
    if conf.backend == "s3":
        from huiyin.storage.s3 import S3Storage

        return S3Storage(
            conf.s3_bucket,
            endpoint_url=conf.s3_endpoint_url,
            region=conf.s3_region,
            access_key=conf.s3_access_key,
            secret_key=conf.s3_secret_key.get_secret_value() if conf.s3_secret_key else None,
        )
    return LocalStorage(conf.local_root)


async def get_storage(request: Request) -> Storage:
    """The app's storage, built from ``app.state.settings`` on first use and cached on ``app.state``."""
    state = request.app.state
    storage: Storage | None = getattr(state, "storage", None)
    if storage is None:
        storage = make_storage(state.settings)
        state.storage = storage
    return storage


StorageDep = Annotated[Storage, Depends(get_storage)]


def __getattr__(name: str) -> object:
    # S3Storage imports boto3 (slow to import); load it only when asked for.
    if name == "S3Storage":
        from huiyin.storage.s3 import S3Storage

        return S3Storage
    raise AttributeError(name)
