"""The mainland settings: each channel switches on with its credentials; an incomplete set
stops the start with one line naming what to set."""

from __future__ import annotations

import pytest

from bot.app import build_channels
from bot.config import ConfigError, load_settings
from dialogs.types import Channel
from storage.db import Database


def settings(**kw: object):  # type: ignore[no-untyped-def]
    return load_settings(_env_file=None, **kw)


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ({"aliyun_sms_access_key_id": "x"}, "CARELINE_ALIYUN_SMS_ACCESS_KEY_SECRET"),
        (
            {"tencent_sms_secret_id": "x", "tencent_sms_secret_key": "y"},
            "CARELINE_TENCENT_SMS_SDK_APP_ID",
        ),
        ({"wecom_corp_id": "ww1"}, "CARELINE_WECOM_SECRET"),
        ({"wecom_encoding_aes_key": "short"}, "43 characters"),
        ({"aliyun_sms_callback_token": "short"}, "16-128 characters"),
        ({"aliyun_sms_api_base": "dysmsapi.aliyuncs.com"}, "http(s)://"),
    ],
)
def test_incomplete_or_bad_settings_name_the_fix(given: dict[str, object], named: str) -> None:
    with pytest.raises(ConfigError) as err:
        settings(**given)
    assert named in str(err.value) and "Traceback" not in str(err.value)


def test_channels_switch_on_with_their_credentials() -> None:
    db = Database("sqlite+aiosqlite:///unused-test.db")  # never connected
    assert Channel.WECOM not in build_channels(settings(), console=False, db=db)
    full = settings(
        aliyun_sms_access_key_id="a", aliyun_sms_access_key_secret="b", aliyun_sms_sign_name="护苗",
        wecom_corp_id="ww1", wecom_agent_id=1000002, wecom_secret="s", wecom_token="t",
        wecom_encoding_aes_key="a" * 43,
    )  # fmt: skip
    channels = build_channels(full, console=False, db=db)
    assert set(channels) == {Channel.SMS, Channel.WECOM}
    assert type(channels[Channel.SMS]).__name__ == "MainlandSmsChannel"
