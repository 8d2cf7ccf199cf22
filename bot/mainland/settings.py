"""The mainland channels' settings (a mixin of bot.config.Settings; names are an interface)."""

from __future__ import annotations

import re

from pydantic import field_validator, model_validator
from pydantic_settings import BaseSettings

_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,128}$")


_LABELS = {"ALIYUN_SMS": "Alibaba Cloud SMS", "TENCENT_SMS": "Tencent Cloud SMS", "WECOM": "WeCom"}


def _missing(prefix: str, names: dict[str, str | None]) -> list[str]:
    return [f"CARELINE_{prefix}_{n}" for n, v in names.items() if not v]


class MainlandSettings(BaseSettings):
    aliyun_sms_access_key_id: str | None = None
    aliyun_sms_access_key_secret: str | None = None
    aliyun_sms_sign_name: str | None = None
    aliyun_sms_api_base: str = "https://dysmsapi.aliyuncs.com"
    aliyun_sms_callback_token: str | None = None

    tencent_sms_secret_id: str | None = None
    tencent_sms_secret_key: str | None = None
    tencent_sms_sdk_app_id: str | None = None
    tencent_sms_sign_name: str | None = None
    tencent_sms_api_base: str = "https://sms.tencentcloudapi.com"
    tencent_sms_callback_token: str | None = None

    wecom_corp_id: str | None = None
    wecom_agent_id: int | None = None
    wecom_secret: str | None = None
    wecom_token: str | None = None
    wecom_encoding_aes_key: str | None = None
    wecom_api_base: str = "https://qyapi.weixin.qq.com"
    wecom_rate: float = 20.0  # calls per second overall
    wecom_member_per_minute: int = 30  # WeCom drops the excess silently: never exceed it

    mainland_sms_rate: float = 20.0

    @field_validator("aliyun_sms_api_base", "tencent_sms_api_base", "wecom_api_base")
    @classmethod
    def _base(cls, v: str) -> str:
        if not re.match(r"^https?://[^\s/]+", v):
            raise ValueError("must be an http(s):// URL, e.g. https://dysmsapi.aliyuncs.com")
        return v.rstrip("/")

    @field_validator("aliyun_sms_callback_token", "tencent_sms_callback_token")
    @classmethod
    def _token(cls, v: str | None) -> str | None:
        if v is not None and not _TOKEN_RE.match(v):
            raise ValueError(
                "must be 16-128 characters of A-Z, a-z, 0-9, _ and - (a long random secret)"
            )
        return v

    @field_validator("wecom_encoding_aes_key")
    @classmethod
    def _aes(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"[A-Za-z0-9]{43}", v):
            raise ValueError("must be the 43 characters WeCom shows as EncodingAESKey")
        return v

    @model_validator(mode="after")
    def _complete(self) -> MainlandSettings:
        groups = {
            "ALIYUN_SMS": {
                "ACCESS_KEY_ID": self.aliyun_sms_access_key_id,
                "ACCESS_KEY_SECRET": self.aliyun_sms_access_key_secret,
                "SIGN_NAME": self.aliyun_sms_sign_name,
            },
            "TENCENT_SMS": {
                "SECRET_ID": self.tencent_sms_secret_id,
                "SECRET_KEY": self.tencent_sms_secret_key,
                "SDK_APP_ID": self.tencent_sms_sdk_app_id,
                "SIGN_NAME": self.tencent_sms_sign_name,
            },
            "WECOM": {
                "CORP_ID": self.wecom_corp_id,
                "AGENT_ID": str(self.wecom_agent_id) if self.wecom_agent_id else None,
                "SECRET": self.wecom_secret,
                "TOKEN": self.wecom_token,
                "ENCODING_AES_KEY": self.wecom_encoding_aes_key,
            },
        }
        for prefix, names in groups.items():
            if any(names.values()) and not all(names.values()):
                raise ValueError(
                    f"{_LABELS[prefix]} needs all its settings; set "
                    + ", ".join(_missing(prefix, names))
                )
        return self

    @property
    def aliyun_sms_enabled(self) -> bool:
        return bool(self.aliyun_sms_access_key_id and self.aliyun_sms_access_key_secret)

    @property
    def tencent_sms_enabled(self) -> bool:
        return bool(self.tencent_sms_secret_id and self.tencent_sms_secret_key)

    @property
    def mainland_sms_enabled(self) -> bool:
        return self.aliyun_sms_enabled or self.tencent_sms_enabled

    @property
    def wecom_enabled(self) -> bool:
        return bool(self.wecom_corp_id and self.wecom_secret and self.wecom_agent_id)
