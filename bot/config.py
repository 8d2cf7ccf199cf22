"""Settings from the environment (prefix CARELINE_) or a .env file. Bad values fail at start
with one line naming the setting and the fix."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from bot.mainland.settings import MainlandSettings
from content.errors import SetupError

DEFAULT_DB_FILE = Path("careline.db")
DEFAULT_DATABASE_URL = f"sqlite+aiosqlite:///./{DEFAULT_DB_FILE}"
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class ConfigError(SetupError):
    """A configuration problem, worded for the operator: the setting and the fix."""


class Settings(MainlandSettings):  # the mainland channels' settings: bot/mainland/settings.py
    model_config = SettingsConfigDict(env_prefix="CARELINE_", env_file=".env", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    # Files Careline keeps (visit photos and voice notes, under media/); default: the SQLite
    # database's directory, or ./data with PostgreSQL (see `media_dir`).
    data_dir: Path | None = None
    public_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8080
    timezone: str = "Asia/Shanghai"
    default_locale: str = "zh_Hans"

    telegram_token: str | None = None
    telegram_webhook_secret: str | None = None
    telegram_api_base: str = "https://api.telegram.org"

    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_from: str | None = None
    twilio_api_base: str = "https://api.twilio.com"

    # Outbox: 0 turns a limit off.
    telegram_rate: float = 25.0
    telegram_chat_rate: float = 1.0
    sms_rate: float = 1.0
    console_rate: float = 0.0
    dispatch_batch: int = 50
    dispatch_linger_ms: int = 20
    # Webhooks answer once the message is stored, and process it right after, when this many
    # are being processed already (0: always process before answering; bot/intake.py).
    inbound_defer_at: int = 4
    inbound_workers: int = 0  # deferred messages processed at once; 0: 1 on SQLite, 2 else
    dispatch_lease_seconds: int = 60
    send_timeout_seconds: float = 15.0  # one provider call; must be shorter than the lease
    max_attempts: int = 8

    conversation_timeout_hours: float = 24.0
    repeat_window_minutes: float = 10.0  # same text again within this: one answer (bot/loops.py)
    reply_cap_per_hour: int = 40  # replies to one address per hour; staff, safety exempt; 0 = off
    simulator: bool = False  # the /simulator page; on with `serve --demo`
    simulator_force: bool = False  # allow the simulator while Twilio or Telegram is live
    log_level: str = "INFO"

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown time zone {v!r}; use an IANA name like Asia/Shanghai"
            ) from exc
        return v

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _secret(cls, v: str | None) -> str | None:
        if v is not None and not _SECRET_RE.match(v):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return v

    @field_validator("public_url", "telegram_api_base", "twilio_api_base")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v is not None and not re.match(r"^https?://[^\s/]+", v):
            raise ValueError("must be an http(s):// URL, e.g. https://careline.example.org")
        return v.rstrip("/") if v else v

    @model_validator(mode="after")
    def _pairs(self) -> Settings:
        twilio = [self.twilio_account_sid, self.twilio_auth_token, self.twilio_from]
        if any(twilio) and not all(twilio):
            missing = [
                n
                for n, v in zip(
                    ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM"), twilio, strict=True
                )
                if not v
            ]
            raise ValueError(
                "Twilio needs all three settings; set "
                + ", ".join("CARELINE_" + m for m in missing)
            )
        if self.twilio_account_sid and not self.public_url:
            raise ValueError(
                "CARELINE_PUBLIC_URL is required with Twilio: webhook signatures are "
                "checked against it (e.g. https://careline.example.org)"
            )
        if self.telegram_webhook_secret and not self.telegram_token:
            raise ValueError(
                "CARELINE_TELEGRAM_WEBHOOK_SECRET is set without CARELINE_TELEGRAM_TOKEN"
            )
        if self.telegram_webhook_secret and not self.public_url:
            raise ValueError("Telegram webhook mode needs CARELINE_PUBLIC_URL for setWebhook")
        if self.inbound_defer_at < 0 or not 0 <= self.inbound_workers <= 32:
            raise ValueError(
                "CARELINE_INBOUND_DEFER_AT must be 0 or more (0: never answer before "
                "processing) and CARELINE_INBOUND_WORKERS between 0 and 32 (0: automatic)"
            )
        if not 0 < self.send_timeout_seconds < self.dispatch_lease_seconds:
            raise ValueError(
                "CARELINE_SEND_TIMEOUT_SECONDS must be above 0 and below "
                "CARELINE_DISPATCH_LEASE_SECONDS (a send must end before its lease does)"
            )
        return self

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_token)

    @property
    def twilio_enabled(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token and self.twilio_from)

    @property
    def media_dir(self) -> Path:
        """Where visit photos and voice notes are stored (bot/media_store.py)."""
        if self.data_dir is not None:
            return self.data_dir / "media"
        from sqlalchemy.engine import make_url  # not at import: `careline --help` stays light

        url = make_url(self.database_url)
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            return Path(str(url.database)).parent / "media"
        return Path("data") / "media"

    @property
    def is_default_database(self) -> bool:
        return self.database_url == DEFAULT_DATABASE_URL


def load_settings(**overrides: Any) -> Settings:
    """Read settings; turn validation errors into one operator-facing line."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) if err["loc"] else ""
        name = f"CARELINE_{field.upper()}: " if field else ""
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"configuration error: {name}{msg}") from None


def settings_or_exit(**overrides: Any) -> Settings:
    """Settings for a `careline` command: a bad setting is one line on stderr and exit 2."""
    try:
        return load_settings(**overrides)
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        raise SystemExit(2) from None
