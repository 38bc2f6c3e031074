"""One typed settings object, read from ``HUIYIN_*`` environment variables.

Nothing else in the package reads the environment. ``get_settings()`` is cached; tests build their own
``Settings`` and hand it to ``create_app``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-secret-change-me"


class AuthSettings(BaseModel):
    session_hours: int = 12
    access_token_hours: int = 12
    cookie_name: str = "huiyin_session"
    csrf_cookie_name: str = "huiyin_csrf"
    cookie_secure: bool = False


class Settings(BaseSettings):
    """Huiyin's settings; ``HUIYIN_AUTH__SESSION_HOURS=8`` sets a nested value."""

    model_config = SettingsConfigDict(env_prefix="HUIYIN_", env_nested_delimiter="__", secrets_dir=None, extra="ignore")

    env: Literal["dev", "test", "prod"] = "dev"
    database_url: str = Field(default_factory=lambda: f"sqlite:///{Path.cwd() / 'huiyin.db'}")
    secret_key: str = DEV_SECRET
    timezone: str = "Asia/Shanghai"
    order_number_prefix: str = "GD"
    callback_max_unreachable: int = 3
    callback_to_team: bool = False  # True: callbacks go to a shared team queue, not the owner agent
    text_max_length: int = 4000
    sql_echo: bool = False
    auth: AuthSettings = AuthSettings()

    @model_validator(mode="after")
    def _reject_default_secret_outside_dev(self) -> Settings:
        if self.env == "prod" and self.secret_key == DEV_SECRET:
            raise ValueError("HUIYIN_SECRET_KEY must be set when HUIYIN_ENV=prod")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
