"""Stand-ins for Alibaba Cloud SMS and Tencent Cloud SMS (test infrastructure).

Reached by the **real** SDKs (`alibabacloud-dysmsapi20170525`, `tencentcloud-sdk-python-sms`)
pointed at `http://127.0.0.1:PORT`. Signatures (ACS3 / TC3) are not checked; the stand-in
checks what the providers check about the message: a known approved template, the signature,
the variables (Alibaba: a JSON object of strings; Tencent: the count), and answers errors the
way each provider does (Alibaba: HTTP 200 with `Code`; Tencent: per-number `Code` in
`SendStatusSet`, or `Response.Error`).

    with AliyunSmsStandin() as ali:
        ali.state.templates["SMS_1"] = ("护苗", "你好${name}", "1")
        ali.state.fail_next("isv.DAY_LIMIT_CONTROL", times=1)
        ali.state.fail_for("+8613800000011", "isv.BUSINESS_LIMIT_CONTROL", "触发天级流控")
        ali.state.sent  # the accepted messages
        ali.up_items(...) / ali.report_items(...)  # the JSON arrays Alibaba pushes
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.standins.server import RunningStandin, StandinServer

CHINA = ZoneInfo("Asia/Shanghai")


@dataclass
class Sent:
    provider: str
    phone: str  # as the provider got it
    sign_name: str
    template: str
    params: Any  # dict (Alibaba) or list (Tencent)
    ref: str | None  # OutId / SessionContext
    provider_id: str


@dataclass
class Failure:
    code: str
    message: str
    phone: str | None  # None: any number
    times: int | None  # None: until cleared
    http_status: int = 200


@dataclass
class ProviderState:
    provider: str
    # template code -> (sign name, approved text, status "1"/"0"/"2" like GetSmsTemplate)
    templates: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)
    attempts: int = 0
    failures: list[Failure] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    accept_any: bool = False  # a separate demo process: every template code is approved
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))

    def fail_next(
        self, code: str, message: str = "", *, times: int | None = 1, http_status: int = 200
    ) -> None:
        self.failures.append(Failure(code, message, None, times, http_status))

    def fail_for(
        self, phone: str, code: str, message: str = "", *, times: int | None = None
    ) -> None:
        self.failures.append(Failure(code, message, phone, times))

    def clear(self) -> None:
        with self.lock:
            self.failures.clear()

    def _failure(self, phone: str) -> Failure | None:
        with self.lock:
            self.attempts += 1
            for f in self.failures:
                if f.phone is None or f.phone == phone:
                    if f.times is not None:
                        f.times -= 1
                        if f.times <= 0:
                            self.failures.remove(f)
                    return f
        return None

    def next_id(self) -> str:
        return str(next(self._ids))


def _aliyun_app(state: ProviderState) -> Starlette:
    async def rpc(request: Request) -> JSONResponse:
        action = request.headers.get("x-acs-action", "")
        q = request.query_params
        rid = "REQ-" + state.next_id()
        if action == "SendSms":
            phone = q.get("PhoneNumbers", "")
            failure = state._failure(phone)
            if failure is not None:
                if failure.http_status >= 400:
                    return JSONResponse(
                        {"Code": failure.code, "Message": failure.message, "RequestId": rid},
                        status_code=failure.http_status,
                    )
                return JSONResponse(
                    {"Code": failure.code, "Message": failure.message, "RequestId": rid}
                )
            code = q.get("TemplateCode", "")
            tpl = state.templates.get(code)
            if tpl is None and state.accept_any:
                tpl = (q.get("SignName", ""), "${any}", "1")
            if tpl is None or tpl[2] != "1":
                return JSONResponse(
                    {"Code": "isv.SMS_TEMPLATE_ILLEGAL", "Message": "模板不合法", "RequestId": rid}
                )
            if q.get("SignName") != tpl[0]:
                return JSONResponse(
                    {"Code": "isv.SMS_SIGNATURE_ILLEGAL", "Message": "签名不合法", "RequestId": rid}
                )
            try:
                params = json.loads(q.get("TemplateParam") or "{}")
            except ValueError:
                return JSONResponse(
                    {
                        "Code": "isv.INVALID_JSON_PARAM",
                        "Message": "JSON参数不合法",
                        "RequestId": rid,
                    }
                )
            if not isinstance(params, dict) or not all(isinstance(v, str) for v in params.values()):
                return JSONResponse(
                    {
                        "Code": "isv.INVALID_JSON_PARAM",
                        "Message": "JSON参数不合法，只接受字符串值",
                        "RequestId": rid,
                    }
                )
            import re

            needed = set(re.findall(r"\$\{(\w+)\}", tpl[1])) - {"any"}
            if needed - set(params):
                return JSONResponse(
                    {
                        "Code": "isv.TEMPLATE_MISSING_PARAMETERS",
                        "Message": "模板缺少变量",
                        "RequestId": rid,
                    }
                )
            biz = f"{state.next_id()}^0"
            with state.lock:
                state.sent.append(
                    Sent("aliyun", phone, q.get("SignName", ""), code, params, q.get("OutId"), biz)
                )
            return JSONResponse({"Code": "OK", "Message": "OK", "BizId": biz, "RequestId": rid})
        if action == "GetSmsTemplate":
            code = q.get("TemplateCode", "")
            tpl = state.templates.get(code)
            if tpl is None:
                return JSONResponse(
                    {"Code": "isv.SMS_TEMPLATE_ILLEGAL", "Message": "模板不存在", "RequestId": rid}
                )
            return JSONResponse(
                {
                    "Code": "OK",
                    "Message": "OK",
                    "RequestId": rid,
                    "TemplateCode": code,
                    "TemplateContent": tpl[1],
                    "TemplateStatus": tpl[2],
                    "AuditInfo": {"RejectInfo": "内容不规范" if tpl[2] == "2" else ""},
                }
            )
        return JSONResponse(
            {"Code": "InvalidAction.NotFound", "Message": action, "RequestId": rid}, status_code=404
        )

    return Starlette(routes=[Route("/", rpc, methods=["POST", "GET"])])


def _tencent_app(state: ProviderState) -> Starlette:
    async def api(request: Request) -> JSONResponse:
        action = request.headers.get("X-TC-Action", "")
        body = await request.json()
        rid = "tc-" + state.next_id()
        if action == "SendSms":
            phones = body.get("PhoneNumberSet") or []
            phone = phones[0] if phones else ""
            failure = state._failure(phone)
            if failure is not None and failure.code.startswith(
                (
                    "InternalError",
                    "AuthFailure",
                    "RequestLimit",
                    "UnauthorizedOperation",
                    "LimitExceeded.App",
                    "FailedOperation.Insufficient",
                )
            ):
                return JSONResponse(
                    {
                        "Response": {
                            "Error": {"Code": failure.code, "Message": failure.message},
                            "RequestId": rid,
                        }
                    }
                )
            tpl = state.templates.get(str(body.get("TemplateId")))
            if tpl is None and state.accept_any:
                n = len(body.get("TemplateParamSet") or [])
                tpl = (body.get("SignName", ""), "".join(f"{{{i}}}," for i in range(1, n + 1)), "1")
            code, message = "Ok", "send success"
            if failure is not None:
                code, message = failure.code, failure.message or failure.code
            elif tpl is None or tpl[2] != "1":
                code, message = (
                    "FailedOperation.TemplateIncorrectOrUnapproved",
                    "template unapproved",
                )
            elif body.get("SignName") != tpl[0]:
                code, message = (
                    "FailedOperation.SignatureIncorrectOrUnapproved",
                    "signature unapproved",
                )
            else:
                import re

                params = body.get("TemplateParamSet") or []
                if len(params) != len(set(re.findall(r"\{(\d+)\}", tpl[1]))):
                    code, message = (
                        "FailedOperation.TemplateParamSetNotMatchApprovedTemplate",
                        "params",
                    )
                elif any(len(str(p)) > 6 for p in params) and state.templates.get("_six_limit"):
                    code, message = "InvalidParameterValue.TemplateParameterLengthLimit", "6"
            serial = f"2028:{state.next_id()}"
            if code == "Ok":
                with state.lock:
                    state.sent.append(
                        Sent(
                            "tencent",
                            phone,
                            body.get("SignName", ""),
                            str(body.get("TemplateId")),
                            body.get("TemplateParamSet"),
                            body.get("SessionContext"),
                            serial,
                        )
                    )
            return JSONResponse(
                {
                    "Response": {
                        "SendStatusSet": [
                            {
                                "SerialNo": serial if code == "Ok" else "",
                                "PhoneNumber": phone,
                                "Fee": 1 if code == "Ok" else 0,
                                "SessionContext": body.get("SessionContext") or "",
                                "Code": code,
                                "Message": message,
                                "IsoCode": "CN",
                            }
                        ],
                        "RequestId": rid,
                    }
                }
            )
        if action == "DescribeSmsTemplateList":
            out = []
            for tid in body.get("TemplateIdSet") or []:
                tpl = state.templates.get(str(tid))
                if tpl is not None:
                    status = {"1": 0, "0": 1, "2": -1}[tpl[2]]
                    out.append(
                        {
                            "TemplateId": int(tid),
                            "International": 0,
                            "StatusCode": status,
                            "ReviewReply": "" if status >= 0 else "不合规",
                            "TemplateName": "t",
                            "CreateTime": 0,
                            "TemplateContent": tpl[1],
                        }
                    )
            return JSONResponse({"Response": {"DescribeTemplateStatusSet": out, "RequestId": rid}})
        return JSONResponse(
            {"Response": {"Error": {"Code": "InvalidAction", "Message": action}, "RequestId": rid}}
        )

    return Starlette(routes=[Route("/", api, methods=["POST"])])


class _Standin(RunningStandin):
    def __init__(self, state: ProviderState, app: Starlette) -> None:
        self.state = state
        self.server = StandinServer(app)


class AliyunSmsStandin(_Standin):
    def __init__(self) -> None:
        state = ProviderState("aliyun")
        super().__init__(state, _aliyun_app(state))


class TencentSmsStandin(_Standin):
    def __init__(self) -> None:
        state = ProviderState("tencent")
        super().__init__(state, _tencent_app(state))


def _china(at: datetime) -> str:
    return at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")


def aliyun_up(phone: str, content: str, sequence_id: int, at: datetime) -> dict[str, Any]:
    """One SmsUp item as Alibaba pushes it (phone without +86)."""
    return {
        "phone_number": phone.removeprefix("+86"),
        "content": content,
        "send_time": _china(at),
        "dest_code": "1234",
        "sequence_id": sequence_id,
        "sign_name": "护苗",
    }


def aliyun_report(
    sent: Sent, at: datetime, *, success: bool = True, err_code: str = "DELIVERED"
) -> dict[str, Any]:
    return {
        "phone_number": sent.phone,
        "send_time": _china(at),
        "report_time": _china(at),
        "success": success,
        "err_code": err_code,
        "err_msg": "用户接收成功" if success else "失败",
        "sms_size": "1",
        "biz_id": sent.provider_id,
        "out_id": sent.ref,
    }


def tencent_reply(phone: str, text: str, at: datetime) -> dict[str, Any]:
    return {
        "extend": "",
        "mobile": phone.removeprefix("+86"),
        "nationcode": "86",
        "sign": "护苗",
        "text": text,
        "time": int(at.timestamp()),
    }


def tencent_status(
    sent: Sent, at: datetime, *, success: bool = True, errmsg: str = "DELIVRD"
) -> dict[str, Any]:
    return {
        "user_receive_time": _china(at),
        "nationcode": "86",
        "mobile": sent.phone.removeprefix("+86"),
        "report_status": "SUCCESS" if success else "FAIL",
        "errmsg": errmsg,
        "description": "用户短信送达成功" if success else "失败",
        "sid": sent.provider_id,
        "ext": sent.ref or "",
    }
