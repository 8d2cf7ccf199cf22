"""Tencent Cloud SMS (API 2021-01-11) through the official async SDK (httpx).

Sending: `SendSms` with SmsSdkAppId, SignName (the signature text), TemplateId and the
positional TemplateParamSet. A call can succeed while the number fails: the per-number
`SendStatusSet[].Code` is read. Pushes: the reply callback (上行, one JSON object) and the
status callback (a JSON array), each answered `{"result": 0, "errmsg": "OK"}`; the
callback URL carries a secret token (CARELINE_TENCENT_SMS_CALLBACK_TOKEN).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from bot.channels.mainland_sms import CHINA, ErrorClass, ProviderError, Report
from bot.phones import to_e164
from content.sms_templates import APPROVED, IN_REVIEW, REJECTED, TENCENT, TemplateSpec
from dialogs.types import Channel, Inbound

if TYPE_CHECKING:  # the SDK is imported when the channel is built (configured), not before
    from tencentcloud.sms.v20210111 import sms_client_async

NAME = TENCENT
DEFAULT_API_BASE = "https://sms.tencentcloudapi.com"
PUSH_OK: Mapping[str, Any] = {"result": 0, "errmsg": "OK"}

_DEFER_WINDOWS = {
    "LimitExceeded.PhoneNumberThirtySecondLimit": "30s",
    "LimitExceeded.PhoneNumberOneHourLimit": "hour",
    "LimitExceeded.PhoneNumberDailyLimit": "day",
    "LimitExceeded.PhoneNumberSameContentDailyLimit": "day",
    "LimitExceeded.DeliveryFrequencyLimit": "hour",
}
ERROR_CLASSES: Mapping[str, ErrorClass] = {
    "InternalError.Timeout": ErrorClass.RETRY,
    "InternalError.SendAndRecvFail": ErrorClass.RETRY,
    "InternalError.OtherError": ErrorClass.RETRY,
    "InternalError.RequestTimeException": ErrorClass.RETRY,
    "RequestLimitExceeded": ErrorClass.RETRY,
    "ClientNetworkError": ErrorClass.RETRY,
    "ServerNetworkError": ErrorClass.RETRY,
    **dict.fromkeys(_DEFER_WINDOWS, ErrorClass.DEFER),
    "LimitExceeded.AppDailyLimit": ErrorClass.ACCOUNT,
    "LimitExceeded.AppGlobalDailyLimit": ErrorClass.ACCOUNT,
    "FailedOperation.InsufficientBalanceInSmsPackage": ErrorClass.ACCOUNT,
    "UnauthorizedOperation.ServiceSuspendDueToArrears": ErrorClass.ACCOUNT,
    "UnauthorizedOperation.SmsSdkAppIdVerifyFail": ErrorClass.ACCOUNT,
    "UnauthorizedOperation.RequestIpNotInWhitelist": ErrorClass.ACCOUNT,
    "AuthFailure.SecretIdNotFound": ErrorClass.ACCOUNT,
    "AuthFailure.SignatureFailure": ErrorClass.ACCOUNT,
    "FailedOperation.TemplateIncorrectOrUnapproved": ErrorClass.PERMANENT,
    "FailedOperation.SignatureIncorrectOrUnapproved": ErrorClass.PERMANENT,
    "FailedOperation.TemplateParamSetNotMatchApprovedTemplate": ErrorClass.PERMANENT,
    "FailedOperation.ContainSensitiveWord": ErrorClass.PERMANENT,
    "FailedOperation.MarketingSendTimeConstraint": ErrorClass.PERMANENT,
    "InvalidParameterValue.TemplateParameterLengthLimit": ErrorClass.PERMANENT,
    "InvalidParameterValue.ProhibitedUseUrlInTemplateParameter": ErrorClass.PERMANENT,
    "InvalidParameterValue.ContentLengthLimit": ErrorClass.PERMANENT,
    "UnsupportedOperation.UnsupportedTemplateVariable": ErrorClass.PERMANENT,
    "InvalidParameterValue.IncorrectPhoneNumber": ErrorClass.BAD_NUMBER,
    "FailedOperation.PhoneNumberParseFail": ErrorClass.BAD_NUMBER,
    "FailedOperation.PhoneNumberInBlacklist": ErrorClass.BLOCKED,
}
# DescribeSmsTemplateList StatusCode -> ours.
STATUS_MAP: Mapping[int, str] = {0: APPROVED, 1: IN_REVIEW, 2: IN_REVIEW, -1: REJECTED}


def classify(code: str, message: str = "") -> ProviderError:
    kind = ERROR_CLASSES.get(code, ErrorClass.PERMANENT)
    return ProviderError(NAME, code, message, kind, _DEFER_WINDOWS.get(code))


class TencentSms:
    name = NAME

    def __init__(
        self,
        *,
        secret_id: str,
        secret_key: str,
        sdk_app_id: str,
        api_base: str,
        region: str = "ap-guangzhou",
        timeout: int = 10,
    ) -> None:
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile

        parts = urlsplit(api_base)
        http = HttpProfile(
            protocol=parts.scheme or "https", endpoint=parts.netloc, reqTimeout=timeout
        )
        self._args = (
            credential.Credential(secret_id, secret_key),
            region,
            ClientProfile(httpProfile=http),
        )
        self._sdk_app_id = sdk_app_id
        self._client: sms_client_async.SmsClient | None = None

    def _sdk(self) -> sms_client_async.SmsClient:
        if self._client is None:
            from tencentcloud.sms.v20210111 import sms_client_async

            self._client = sms_client_async.SmsClient(*self._args)
        return self._client

    async def send(
        self, phone: str, spec: TemplateSpec, params: dict[str, str] | list[str], ref: str
    ) -> str:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
            TencentCloudSDKException,
        )
        from tencentcloud.sms.v20210111 import models as tc_models

        request = tc_models.SendSmsRequest()
        request.PhoneNumberSet = [phone]
        request.SmsSdkAppId = spec.sdk_app_id or self._sdk_app_id
        request.SignName = spec.sign_name
        request.TemplateId = spec.template_code
        request.TemplateParamSet = (
            list(params) if isinstance(params, list) else list(params.values())
        )
        request.SessionContext = ref
        try:
            response = await self._sdk().SendSms(request)
        except TencentCloudSDKException as exc:
            raise classify(str(exc.get_code()), str(exc.get_message())) from exc
        except Exception as exc:  # httpx errors, timeouts
            raise ProviderError(NAME, "network", type(exc).__name__, ErrorClass.RETRY) from exc
        statuses = response.SendStatusSet or []
        if not statuses:
            raise ProviderError(NAME, "no_status", "empty SendStatusSet", ErrorClass.RETRY)
        status = statuses[0]
        if status.Code != "Ok":
            raise classify(str(status.Code), str(status.Message or ""))
        return str(status.SerialNo)

    async def template_status(self, code: str) -> tuple[str, str | None, str | None]:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
            TencentCloudSDKException,
        )
        from tencentcloud.sms.v20210111 import models as tc_models

        request = tc_models.DescribeSmsTemplateListRequest()
        request.TemplateIdSet = [int(code)]
        request.International = 0
        try:
            response = await self._sdk().DescribeSmsTemplateList(request)
        except TencentCloudSDKException as exc:
            raise classify(str(exc.get_code()), str(exc.get_message())) from exc
        items = response.DescribeTemplateStatusSet or []
        if not items:
            raise ProviderError(NAME, "not_found", code, ErrorClass.PERMANENT)
        item = items[0]
        return (
            STATUS_MAP.get(int(item.StatusCode), IN_REVIEW),
            item.TemplateContent,
            item.ReviewReply,
        )

    async def close(self) -> None:
        self._client = None


def _phone(mobile: Any, nationcode: Any = "86") -> str | None:
    raw = str(mobile or "").strip()
    if not raw:
        return None
    if not raw.startswith("+"):
        raw = f"+{str(nationcode or '86').lstrip('+')}{raw}"
    return to_e164(raw) or None


def parse_reply(body: Any, received_at: datetime) -> Inbound | None:
    """The reply callback: {"extend", "mobile", "nationcode", "sign", "text", "time"}."""
    if not isinstance(body, dict):
        return None
    phone = _phone(body.get("mobile"), body.get("nationcode"))
    if phone is None:
        return None
    sent = str(body.get("time") or "")
    # Tencent gives no message id: the phone, the time and the text identify a reply.
    digest = hashlib.sha1(str(body.get("text") or "").encode()).hexdigest()[:12]
    provider_id = f"tencent-up:{phone}:{sent}:{digest}"
    return Inbound(
        channel=Channel.SMS,
        address=phone,
        provider_id=provider_id[:64],
        received_at=received_at,
        text=str(body.get("text") or ""),
    )


def parse_status(items: Any, received_at: datetime) -> list[Report] | None:
    """The status callback: [{"user_receive_time", "nationcode", "mobile", "report_status",
    "errmsg", "description", "sid", "ext"}, …]; deduplicated on sid + mobile."""
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        return None
    out = []
    for item in items:
        phone = _phone(item.get("mobile"), item.get("nationcode"))
        sid = item.get("sid")
        if phone is None or not sid:
            continue
        success = str(item.get("report_status") or "").upper() == "SUCCESS"
        code = None if success else str(item.get("errmsg") or "") or "FAIL"
        at = received_at
        raw_time = item.get("user_receive_time")
        if isinstance(raw_time, str):
            with contextlib.suppress(ValueError):  # China time, like the console shows
                local = datetime.strptime(raw_time, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA)
                at = local.astimezone(UTC)
        out.append(
            Report(
                provider_id=f"{NAME}:{sid}",
                phone=phone,
                success=success,
                code=code,
                dedup_key=f"{NAME}:{sid}:{phone}"[:200],
                out_id=str(item.get("ext") or "") or None,
                at=at,
            )
        )
    return out
