"""Stand-in for the WeCom (企业微信) server API and its callback pushes (test infrastructure).

API: `GET /cgi-bin/gettoken`, `POST /cgi-bin/message/send`,
`POST /cgi-bin/message/update_template_card`, `GET /cgi-bin/media/get` (the files in
`state.media`, by MediaId; `state.media_failures` scripts HTTP errors for the next calls;
an unknown MediaId answers errcode 40007 as JSON, as WeCom does).
Like WeCom, every answer is HTTP 200 with `errcode` (42001 for an expired token, 40014 for an
invalid one, `invaliduser` for users outside the app's visible range, 45009 when scripted),
and more than 30 messages a minute to one member are dropped silently (recorded in `dropped`).

Pushes: `text_xml(...)`, `media_xml(...)` (image / voice), `card_event_xml(...)`,
`verify_query(...)` build what WeCom sends
to the callback URL: encrypted XML signed with `msg_signature`.

    with WeComStandin(users={"lizhuren", "chenrexian"}) as wecom:
        wecom.state.expire_tokens()        # the next call with the old token gets 42001
        wecom.state.fail_next(45009)
        wecom.state.messages               # accepted messages (dicts as sent)
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.channels.wecom_crypto import WeComCrypto, signature
from tests.standins.server import RunningStandin, StandinServer

CORP_ID = "ww0000000000demo"
AGENT_ID = 1000002
SECRET = "wecom-app-secret"
TOKEN = "careline-wecom-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters


@dataclass
class WeComState:
    users: set[str]
    messages: list[dict[str, Any]] = field(default_factory=list)
    accepted_at: list[float] = field(default_factory=list)  # when each of `messages` came
    dropped: list[dict[str, Any]] = field(default_factory=list)
    card_updates: list[dict[str, Any]] = field(default_factory=list)
    gettoken_calls: int = 0
    valid_tokens: set[str] = field(default_factory=set)
    invalid_next_token_use: bool = False
    failures: list[int] = field(default_factory=list)
    per_member_minute: int = 30
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # MediaId -> file, type
    media_failures: list[int] = field(default_factory=list)  # HTTP statuses, next calls first
    media_fetches: list[str] = field(default_factory=list)  # MediaIds served, in order
    now: Callable[[], float] = time.monotonic  # injectable: the tests' fake clock
    _recent: dict[str, deque[float]] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def expire_tokens(self) -> None:
        """WeCom invalidated every token early (the next use answers 42001)."""
        with self.lock:
            self.valid_tokens.clear()

    def fail_next(self, errcode: int) -> None:
        self.failures.append(errcode)

    def to(self, user: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if user in str(m.get("touser", "")).split("|")]


def _app(state: WeComState) -> Starlette:
    async def gettoken(request: Request) -> JSONResponse:
        q = request.query_params
        with state.lock:
            state.gettoken_calls += 1
            if q.get("corpid") != CORP_ID or q.get("corpsecret") != SECRET:
                return JSONResponse({"errcode": 40001, "errmsg": "invalid credential"})
            token = f"TOKEN-{next(state._ids)}"
            state.valid_tokens.add(token)
        return JSONResponse(
            {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}
        )

    def token_error(request: Request) -> JSONResponse | None:
        token = request.query_params.get("access_token", "")
        if not token:
            return JSONResponse({"errcode": 41001, "errmsg": "access_token missing"})
        if token not in state.valid_tokens:
            return JSONResponse({"errcode": 42001, "errmsg": "access_token expired"})
        return None

    async def send(request: Request) -> JSONResponse:
        refused = token_error(request)
        if refused is not None:
            return refused
        body = await request.json()
        with state.lock:
            if state.failures:
                code = state.failures.pop(0)
                return JSONResponse({"errcode": code, "errmsg": "scripted"})
            if body.get("agentid") != AGENT_ID:
                return JSONResponse({"errcode": 40056, "errmsg": "invalid agentid"})
            users = [u for u in str(body.get("touser", "")).split("|") if u]
            invalid = [u for u in users if u not in state.users]
            valid = [u for u in users if u in state.users]
            if not valid:
                return JSONResponse(
                    {
                        "errcode": 81013,
                        "errmsg": "user & party & tag all invalid",
                        "invaliduser": "|".join(invalid),
                    }
                )
            now = state.now()
            for user in valid:
                recent = state._recent.setdefault(user, deque())
                while recent and now - recent[0] > 60:
                    recent.popleft()
                if len(recent) >= state.per_member_minute:
                    state.dropped.append(body)  # silently: WeCom still answers ok
                else:
                    recent.append(now)
                    state.messages.append(body)
                    state.accepted_at.append(now)
            msgid = f"msg-{next(state._ids)}"
        out: dict[str, Any] = {"errcode": 0, "errmsg": "ok", "msgid": msgid}
        if body.get("msgtype") == "template_card":
            out["response_code"] = f"rc-{msgid}"
        if invalid:
            out["invaliduser"] = "|".join(invalid)
        return JSONResponse(out)

    async def update_card(request: Request) -> JSONResponse:
        refused = token_error(request)
        if refused is not None:
            return refused
        body = await request.json()
        with state.lock:
            state.card_updates.append(body)
        return JSONResponse({"errcode": 0, "errmsg": "ok", "invaliduser": []})

    async def media_get(request: Request) -> Response:
        refused = token_error(request)
        if refused is not None:
            return refused
        media_id = request.query_params.get("media_id", "")
        with state.lock:
            if state.media_failures:
                return Response(b"busy", status_code=state.media_failures.pop(0))
            found = state.media.get(media_id)
            if found is None:
                return JSONResponse({"errcode": 40007, "errmsg": "invalid media_id"})
            state.media_fetches.append(media_id)
        headers = {"Content-Disposition": f'attachment; filename="{media_id}"'}
        return Response(found[0], media_type=found[1], headers=headers)

    return Starlette(
        routes=[
            Route("/cgi-bin/gettoken", gettoken, methods=["GET"]),
            Route("/cgi-bin/media/get", media_get, methods=["GET"]),
            Route("/cgi-bin/message/send", send, methods=["POST"]),
            Route("/cgi-bin/message/update_template_card", update_card, methods=["POST"]),
        ]
    )


class WeComStandin(RunningStandin):
    def __init__(
        self, users: set[str] | None = None, now: Callable[[], float] | None = None
    ) -> None:
        self.state = WeComState(users=set(users or ()), now=now or time.monotonic)
        self.server = StandinServer(_app(self.state))
        self.crypto = WeComCrypto(TOKEN, AES_KEY, CORP_ID)
        self._nonces = itertools.count(100000)

    def settings(self) -> dict[str, Any]:
        return {
            "wecom_corp_id": CORP_ID,
            "wecom_agent_id": AGENT_ID,
            "wecom_secret": SECRET,
            "wecom_token": TOKEN,
            "wecom_encoding_aes_key": AES_KEY,
            "wecom_api_base": self.base_url,
        }

    # --- pushes, as WeCom's server sends them to the callback URL ---

    def signed(
        self, inner_xml: str, timestamp: int, *, forge: bool = False
    ) -> tuple[dict[str, str], str]:
        encrypted = self.crypto.encrypt(inner_xml)
        nonce = str(next(self._nonces))
        sig = signature(TOKEN, str(timestamp), nonce, encrypted)
        if forge:
            sig = ("0" if sig[0] != "0" else "1") + sig[1:]
        query = {"msg_signature": sig, "timestamp": str(timestamp), "nonce": nonce}
        body = (
            f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName>"
            f"<Encrypt><![CDATA[{encrypted}]]></Encrypt>"
            f"<AgentID><![CDATA[{AGENT_ID}]]></AgentID></xml>"
        )
        return query, body

    def text_xml(self, user: str, content: str, msg_id: int, created: int) -> str:
        return (
            f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName>"
            f"<FromUserName><![CDATA[{user}]]></FromUserName><CreateTime>{created}</CreateTime>"
            f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{content}]]></Content>"
            f"<MsgId>{msg_id}</MsgId><AgentID>{AGENT_ID}</AgentID></xml>"
        )

    def media_xml(self, user: str, kind: str, media_id: str, msg_id: int, created: int) -> str:
        """A picture (`image`, with PicUrl) or a voice note (`voice`, Format amr) by MediaId."""
        extra = (
            f"<PicUrl><![CDATA[https://wework.qpic.cn/{media_id}]]></PicUrl>"
            if kind == "image"
            else "<Format><![CDATA[amr]]></Format>"
        )
        return (
            f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName>"
            f"<FromUserName><![CDATA[{user}]]></FromUserName><CreateTime>{created}</CreateTime>"
            f"<MsgType><![CDATA[{kind}]]></MsgType>{extra}"
            f"<MediaId><![CDATA[{media_id}]]></MediaId>"
            f"<MsgId>{msg_id}</MsgId><AgentID>{AGENT_ID}</AgentID></xml>"
        )

    def card_event_xml(
        self, user: str, key: str, task_id: str, response_code: str, created: int
    ) -> str:
        return (
            f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName>"
            f"<FromUserName><![CDATA[{user}]]></FromUserName><CreateTime>{created}</CreateTime>"
            f"<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[template_card_event]]></Event>"
            f"<EventKey><![CDATA[{key}]]></EventKey><TaskId><![CDATA[{task_id}]]></TaskId>"
            f"<CardType><![CDATA[button_interaction]]></CardType>"
            f"<ResponseCode><![CDATA[{response_code}]]></ResponseCode><AgentID>{AGENT_ID}</AgentID></xml>"
        )

    def verify_query(self, echo_plain: str, timestamp: int) -> dict[str, str]:
        encrypted = self.crypto.encrypt(echo_plain)
        nonce = str(next(self._nonces))
        return {
            "msg_signature": signature(TOKEN, str(timestamp), nonce, encrypted),
            "timestamp": str(timestamp),
            "nonce": nonce,
            "echostr": encrypted,
        }
