"""Alibaba Cloud SMS (dysmsapi 2017-05-25) through the official async SDK.

Sending: `SendSms` with SignName, TemplateCode and TemplateParam (a JSON object of strings).
Pushes (HTTP batch push, configured in the console): `SmsUp` (上行, replies) and `SmsReport`
(delivery reports), each a JSON array; answered `{"code": 0, "msg": "成功"}`. Alibaba does
not sign its pushes: the callback URL carries a secret token (CARELINE_ALIYUN_SMS_CALLBACK_TOKEN).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bot.channels.mainland_sms import ErrorClass, ProviderError, Report
from bot.phones import to_e164
from content.sms_templates import ALIYUN, APPROVED, IN_REVIEW, REJECTED, TemplateSpec
from dialogs.types import Channel, Inbound

if TYPE_CHECKING:  # the SDK is imported when the channel is built (configured), not before
    from alibabacloud_dysmsapi20170525.client import Client
    from alibabacloud_tea_util import models as util_models

NAME = ALIYUN
DEFAULT_API_BASE = "https://dysmsapi.aliyuncs.com"
PUSH_OK: Mapping[str, Any] = {"code": 0, "msg": "成功"}

# Provider code -> what Careline does. Unknown codes: permanent at this provider (fail over,
# no retry), logged so the table can grow.
ERROR_CLASSES: Mapping[str, ErrorClass] = {
    "isp.SYSTEM_ERROR": ErrorClass.RETRY,
    "isp.GATEWAY_ERROR": ErrorClass.RETRY,
    "Throttling": ErrorClass.RETRY,
    "ServiceUnavailable": ErrorClass.RETRY,
    "isv.BUSINESS_LIMIT_CONTROL": ErrorClass.DEFER,
    "isv.DAY_LIMIT_CONTROL": ErrorClass.ACCOUNT,
    "isv.MONTH_LIMIT_CONTROL": ErrorClass.ACCOUNT,
    "isv.OUT_OF_SERVICE": ErrorClass.ACCOUNT,
    "isv.AMOUNT_NOT_ENOUGH": ErrorClass.ACCOUNT,
    "isv.ACCOUNT_ABNORMAL": ErrorClass.ACCOUNT,
    "isv.ACCOUNT_NOT_EXISTS": ErrorClass.ACCOUNT,
    "isv.DENY_IP_RANGE": ErrorClass.ACCOUNT,
    "isp.RAM_PERMISSION_DENY": ErrorClass.ACCOUNT,
    "InvalidAccessKeyId.NotFound": ErrorClass.ACCOUNT,
    "SignatureDoesNotMatch": ErrorClass.ACCOUNT,
    "isv.SMS_TEMPLATE_ILLEGAL": ErrorClass.PERMANENT,
    "isv.SMS_SIGNATURE_ILLEGAL": ErrorClass.PERMANENT,
    "isv.SMS_SIGNATURE_SCENE_ILLEGAL": ErrorClass.PERMANENT,
    "isv.SIGN_STATE_ILLEGAL": ErrorClass.PERMANENT,
    "isv.SMS_CONTENT_ILLEGAL": ErrorClass.PERMANENT,
    "isv.TEMPLATE_MISSING_PARAMETERS": ErrorClass.PERMANENT,
    "isv.INVALID_JSON_PARAM": ErrorClass.PERMANENT,
    "isv.PARAM_LENGTH_LIMIT": ErrorClass.PERMANENT,
    "isv.PARAM_NOT_SUPPORT_URL": ErrorClass.PERMANENT,
    "isv.BLACK_KEY_CONTROL_LIMIT": ErrorClass.PERMANENT,
    "isv.EXTEND_CODE_ERROR": ErrorClass.PERMANENT,
    "isv.INVALID_PARAMETERS": ErrorClass.PERMANENT,
    "isv.MOBILE_NUMBER_ILLEGAL": ErrorClass.BAD_NUMBER,
    "isv.MOBILE_COUNT_OVER_LIMIT": ErrorClass.BAD_NUMBER,
}
# Template status (GetSmsTemplate TemplateStatus / QuerySmsTemplate) -> ours.
STATUS_MAP: Mapping[str, str] = {"0": IN_REVIEW, "1": APPROVED, "2": REJECTED, "10": REJECTED}


def classify(code: str, message: str = "") -> ProviderError:
    kind = ERROR_CLASSES.get(code, ErrorClass.PERMANENT)
    window = None
    if kind == ErrorClass.DEFER:
        window = "minute" if "分钟" in message else "day" if "天" in message else "hour"
    return ProviderError(NAME, code, message, kind, window)


def national(phone: str) -> str:
    """Alibaba takes mainland numbers without +86."""
    return phone[3:] if phone.startswith("+86") else phone.lstrip("+")


class AliyunSms:
    name = NAME

    def __init__(
        self, *, access_key_id: str, access_key_secret: str, api_base: str, timeout_ms: int = 10000
    ) -> None:
        from alibabacloud_tea_openapi import models as open_api_models

        parts = urlsplit(api_base)
        self._config = open_api_models.Config(
            access_key_id=access_key_id,
            access_key_secret=access_key_secret,
            endpoint=parts.netloc,
            protocol=parts.scheme or "https",
            read_timeout=timeout_ms,
            connect_timeout=min(timeout_ms, 5000),
        )
        self._client: Client | None = None

    def _sdk(self) -> Client:
        if self._client is None:
            from alibabacloud_dysmsapi20170525.client import Client

            self._client = Client(self._config)
        return self._client

    def _runtime(self) -> util_models.RuntimeOptions:
        from alibabacloud_tea_util import models as util_models

        # SendSms is not idempotent: the SDK must not retry by itself.
        return util_models.RuntimeOptions(autoretry=False, max_attempts=1)

    async def send(
        self, phone: str, spec: TemplateSpec, params: dict[str, str] | list[str], ref: str
    ) -> str:
        from alibabacloud_dysmsapi20170525 import models as ali_models
        from alibabacloud_tea_openapi.exceptions import (
            AlibabaCloudException,
            ServerException,
            ThrottlingException,
        )

        request = ali_models.SendSmsRequest(
            phone_numbers=national(phone),
            sign_name=spec.sign_name,
            template_code=spec.template_code,
            template_param=json.dumps(params, ensure_ascii=False) if params else None,
            out_id=ref,
        )
        try:
            response = await self._sdk().send_sms_with_options_async(request, self._runtime())
        except (ServerException, ThrottlingException) as exc:
            raise ProviderError(
                NAME, str(exc.code or "server"), exc.message or "", ErrorClass.RETRY
            ) from exc
        except AlibabaCloudException as exc:
            raise classify(str(exc.code), exc.message or "") from exc
        except Exception as exc:  # network, timeout: the SDK wraps them in its own types
            raise ProviderError(NAME, "network", type(exc).__name__, ErrorClass.RETRY) from exc
        body = response.body
        if body is None or body.code != "OK":
            code = body.code if body is not None and body.code else "unknown"
            raise classify(code, (body.message if body is not None else "") or "")
        return str(body.biz_id)

    async def template_status(self, code: str) -> tuple[str, str | None, str | None]:
        """(our status, approved text, review note) of one template, from the provider."""
        from alibabacloud_dysmsapi20170525 import models as ali_models

        response = await self._sdk().get_sms_template_with_options_async(
            ali_models.GetSmsTemplateRequest(template_code=code), self._runtime()
        )
        body = response.body
        if body is None or body.code != "OK":
            raise classify(body.code if body else "unknown", body.message if body else "")
        status = STATUS_MAP.get(str(body.template_status), IN_REVIEW)
        note = None
        if body.audit_info is not None:
            note = body.audit_info.reject_info
        return status, body.template_content, note

    async def close(self) -> None:
        self._client = None


_CHINA = ZoneInfo("Asia/Shanghai")


def _time(value: Any, fallback: datetime) -> datetime:
    """Alibaba's push times are "2017-02-02 22:23:23" in China time."""
    if isinstance(value, str):
        try:
            return (
                datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=_CHINA).astimezone(UTC)
            )
        except ValueError:
            pass
    return fallback


def _phone(value: Any) -> str | None:
    raw = str(value or "").strip()
    if not raw:
        return None
    if re.fullmatch(r"1\d{10}", raw):
        raw = "+86" + raw
    return to_e164(raw) or None


def parse_up(items: Any, received_at: datetime) -> list[Inbound] | None:
    """SmsUp items as inbound SMS; None when the body is not an array of objects."""
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        return None
    out = []
    for item in items:
        phone = _phone(item.get("phone_number"))
        seq = item.get("sequence_id")
        if phone is None or seq in (None, ""):
            continue
        out.append(
            Inbound(
                channel=Channel.SMS,
                address=phone,
                provider_id=f"aliyun-up:{seq}",
                received_at=received_at,
                text=str(item.get("content") or ""),
            )
        )
    return out


def parse_report(items: Any, received_at: datetime) -> list[Report] | None:
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        return None
    out = []
    for item in items:
        phone = _phone(item.get("phone_number"))
        biz = item.get("biz_id")
        if phone is None or not biz:
            continue
        report_time = str(item.get("report_time") or "")
        success = item.get("success") in (True, "true", "True", 1)
        code = str(item.get("err_code") or "") or None
        out.append(
            Report(
                provider_id=f"{NAME}:{biz}",
                phone=phone,
                success=success,
                code=None if code == "DELIVERED" else code,
                dedup_key=f"{NAME}:{biz}:{phone}:{report_time}"[:200],
                out_id=str(item.get("out_id") or "") or None,
                at=_time(report_time, received_at),
            )
        )
    return out
