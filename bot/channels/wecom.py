"""WeCom (企业微信) self-built app: staff (directors, hotline, supervisors) get and send messages.

- Sending: `POST /cgi-bin/message/send` (text; hotline alerts as a `template_card` of type
  `button_interaction` with a 认领 button), `POST /cgi-bin/message/update_template_card`
  once the card is acted on. Every answer is HTTP 200 with `errcode`, which is always read.
- The access token (`GET /cgi-bin/gettoken`, 7200 s) is cached once for all processes in a
  database row, refreshed 5 minutes early under a row lock, and refetched once when WeCom
  says it is invalid or expired (40001 / 40014 / 42001).
- WeCom drops silently what exceeds 30 messages a minute and 1,000 an hour per member, so
  the channel's per-address pace keeps below both (the outbox waits, it never drops), and a
  burst of hotline alerts to one member is merged: the alerts claimed together become one
  card ("3 个新案件"), a numbered line and a 认领 button for each case (at most 6 a card),
  so that no alert waits behind the pace. Claiming one case updates that card: the case's
  line says who claimed it, the other cases keep their buttons.
- Choices are a numbered list (replies "1", "2" … work as on SMS).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx

from bot.channels.base import RateLimits, SendError, SendFailure, SendResult, TemplateMessage
from bot.channels.wecom_crypto import WeComCrypto
from bot.clock import Clock
from content.catalog import Catalog
from content.errors import ChannelError
from dialogs.render import Rendered, Style
from dialogs.types import Channel
from storage.db import Database
from storage.repos import mainland as repo

log = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://qyapi.weixin.qq.com"
TOKEN_ERRORS = frozenset({40001, 40014, 42001})
# errcode -> what Careline does. Unknown codes: failed, no retry.
RETRY_CODES = frozenset({-1, 45009, 45033, 45011})  # busy, API frequency limits
# WeCom cannot carry it for this person (not in the app's visible range, no such user) or
# for us at all (untrusted IP, wrong agent): the message goes to the person's next channel.
REROUTE_CODES = frozenset({60020, 60111, 81013, 40003, 40056, 48002, 301002})
TEXT_MAX_BYTES = 2048
REFRESH_EARLY = timedelta(minutes=5)
CARD_KEYS = re.compile(r"^hotline\.alert")
CLAIM_PREFIX = "claim:"
MERGED_TASK = "alerts-"  # task id of a merged card: alerts-<outbox id>_<outbox id>…
CARD_BUTTONS_MAX = 6  # a button_interaction card carries at most 6 buttons


class WeComError(ChannelError):
    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"wecom {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


def fit_text(text: str, limit: int = TEXT_MAX_BYTES) -> str:
    """WeCom's text limit is in UTF-8 bytes; cut on a character boundary with an ellipsis."""
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode(errors="ignore") + "…"


class WeComClient:
    """The few calls Careline needs, with a database-row token shared by every process."""

    def __init__(
        self,
        *,
        corp_id: str,
        agent_id: int,
        secret: str,
        api_base: str,
        db: Database,
        clock: Clock,
        timeout: float = 10.0,
    ) -> None:
        self.corp_id = corp_id
        self.agent_id = agent_id
        self._secret = secret
        self._base = api_base.rstrip("/")
        self._db = db
        self._clock = clock
        self._timeout = timeout
        self._http: httpx.AsyncClient | None = None
        self.token_name = f"wecom:{corp_id}:{agent_id}"

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=self._timeout)
        return self._http

    async def _fetch_token(self) -> tuple[str, int]:
        resp = await self._client().get(
            f"{self._base}/cgi-bin/gettoken",
            params={"corpid": self.corp_id, "corpsecret": self._secret},
        )
        body = _json(resp)
        if body.get("errcode", 0) != 0:
            raise WeComError(int(body.get("errcode", -1)), str(body.get("errmsg", "")))
        return str(body["access_token"]), int(body.get("expires_in", 7200))

    async def token(self, *, stale: str | None = None) -> str:
        """A valid token: the shared row's, or a new one fetched by one process under a lock.

        `stale`: WeCom just refused this token; fetch a new one unless another process did.
        """
        now = self._clock.now()
        async with self._db.transaction() as session:
            row = await repo.token(session, self.token_name)
            fresh = row is not None and row.expires_at - REFRESH_EARLY > now
            if fresh and row is not None and row.token and row.token != stale:
                return row.token
        async with self._db.transaction() as session:
            row = await repo.lock_token(session, self.token_name, now)
            if row.token and row.token != stale and row.expires_at - REFRESH_EARLY > now:
                return row.token  # refreshed by another process while we waited
            token, expires_in = await self._fetch_token()
            row.token = token
            row.fetched_at = now
            row.expires_at = now + timedelta(seconds=expires_in)
            log.info("wecom: access token refreshed (valid %ss)", expires_in)
            return token

    async def call(self, path: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        """POST with the token; on an invalid/expired token, one refetch and one retry."""
        token = await self.token()
        for attempt in (1, 2):
            resp = await self._client().post(
                f"{self._base}{path}", params={"access_token": token}, json=dict(payload)
            )
            body = _json(resp)
            errcode = int(body.get("errcode", 0))
            if errcode in TOKEN_ERRORS and attempt == 1:
                log.info("wecom: token refused (%s); refetching once", errcode)
                token = await self.token(stale=token)
                continue
            if errcode != 0:
                raise WeComError(errcode, str(body.get("errmsg", "")))
            return body
        raise WeComError(42001, "token refused twice")  # pragma: no cover - loop returns

    async def send(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        return await self.call("/cgi-bin/message/send", {"agentid": self.agent_id, **payload})

    async def update_card(self, userids: list[str], response_code: str, replace_name: str) -> None:
        await self.call(
            "/cgi-bin/message/update_template_card",
            {
                "userids": userids,
                "agentid": self.agent_id,
                "response_code": response_code,
                "button": {"replace_name": replace_name},
            },
        )

    async def replace_card(
        self, userids: list[str], response_code: str, card: Mapping[str, Any]
    ) -> None:
        """Update a card to a new card (a merged card after one of its cases was claimed)."""
        await self.call(
            "/cgi-bin/message/update_template_card",
            {
                "userids": userids,
                "agentid": self.agent_id,
                "response_code": response_code,
                "template_card": dict(card),
            },
        )

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None


def _json(resp: httpx.Response) -> dict[str, Any]:
    if resp.status_code >= 500:
        raise WeComError(-1, f"HTTP {resp.status_code}")
    try:
        body = resp.json()
    except ValueError as exc:
        raise WeComError(-1, f"HTTP {resp.status_code}, not JSON") from exc
    if not isinstance(body, dict):
        raise WeComError(-1, "not a JSON object")
    return body


def classify(exc: WeComError) -> SendError:
    if exc.errcode in RETRY_CODES:
        return SendError(str(exc), SendFailure.RETRY, code=f"wecom:{exc.errcode}", retry_after=2.0)
    if exc.errcode in REROUTE_CODES:
        return SendError(str(exc), SendFailure.REROUTE, code=f"wecom:{exc.errcode}")
    return SendError(str(exc), SendFailure.PERMANENT, code=f"wecom:{exc.errcode}")


@dataclass(frozen=True, slots=True)
class CardCase:
    """One case on a merged alert card: its ref, its labels (as sent), who claimed it."""

    ref: str
    params: Mapping[str, str]
    claimed_by: str | None = None


def merged_task_id(outbox_ids: Sequence[str]) -> str:
    return MERGED_TASK + "_".join(outbox_ids)


def merged_outbox_ids(task_id: str) -> list[int]:
    """The outbox rows a merged card carries (from its task id); [] for any other card."""
    if not task_id.startswith(MERGED_TASK):
        return []
    parts = task_id.removeprefix(MERGED_TASK).split("_")
    return [int(p) for p in parts if p.isdigit()]


def merged_card(
    catalog: Catalog, locale: str, cases: Sequence[CardCase], task_id: str, *, new: bool
) -> dict[str, Any]:
    """A card for several alerts: least detail per case (ref, severity, category, danger now),
    and a 认领 button for each case nobody claimed yet."""
    lines, buttons = [], []
    for n, case in enumerate(cases, start=1):
        values: dict[str, object] = {"n": n, "ref": case.ref, **case.params}
        if case.claimed_by:
            lines.append(
                catalog.text(
                    "mainland.card.line_claimed", locale, values | {"name": case.claimed_by}
                )
            )
            continue
        lines.append(catalog.text("mainland.card.line", locale, values))
        buttons.append(
            {
                "text": catalog.text("mainland.card.claim_n", locale, {"n": n}),
                "style": 1,
                "key": CLAIM_PREFIX + case.ref,
            }
        )
    title_key = "mainland.card.merged_title" if new else "mainland.card.merged_title_mixed"
    card: dict[str, Any] = {
        "card_type": "button_interaction",
        "main_title": {"title": catalog.text(title_key, locale, {"count": len(cases)})[:26]},
        "sub_title_text": fit_text("\n".join(lines), 1000),
        "task_id": task_id,
        "button_list": buttons,
    }
    return card


class WeComChannel:
    """`wecom`: the address is the WeCom user id of a linked roster person."""

    name = Channel.WECOM
    style: Style = "numbered"
    max_merge = CARD_BUTTONS_MAX

    def __init__(
        self,
        client: WeComClient,
        crypto: WeComCrypto | None,
        limits: RateLimits,
        catalog: Callable[[], Catalog] | None = None,
    ) -> None:
        self.client = client
        self.crypto = crypto
        self.limits = limits
        self.catalog: Callable[[], Catalog] = catalog or Catalog.load

    async def send(self, address: str, message: Rendered) -> SendResult:
        payload = {
            "touser": address,
            "msgtype": "text",
            "text": {"content": fit_text(message.text)},
        }
        return await self._send(address, payload)

    async def send_template(self, address: str, message: TemplateMessage) -> SendResult:
        """Hotline alerts become a card with a 认领 button; everything else is text."""
        ref = str(message.params.get("ref", ""))
        if not CARD_KEYS.match(message.key) or not ref:
            return await self.send(address, Rendered(message.text))
        catalog = self.catalog()
        payload = {
            "touser": address,
            "msgtype": "template_card",
            "template_card": {
                "card_type": "button_interaction",
                "main_title": {
                    "title": catalog.text("mainland.card.title", message.locale, {"ref": ref})[:26],
                },
                "sub_title_text": fit_text(message.text, 1000),
                "task_id": f"alert-{message.ref}",
                "button_list": [
                    {
                        "text": catalog.text("mainland.card.claim", message.locale),
                        "style": 1,
                        "key": CLAIM_PREFIX + ref,
                    }
                ],
            },
            "enable_duplicate_check": 1,
            "duplicate_check_interval": 1800,
        }
        return await self._send(address, payload)

    def mergeable(self, key: str, params: Mapping[str, object]) -> bool:
        """Hotline alerts (cards with a 认领 button) merge; nothing else does."""
        return bool(CARD_KEYS.match(key)) and bool(params.get("ref"))

    async def send_merged(self, address: str, messages: Sequence[TemplateMessage]) -> SendResult:
        """Several alerts to one member as one card (one message against its limit)."""
        if len(messages) == 1:
            return await self.send_template(address, messages[0])
        catalog = self.catalog()
        locale = messages[0].locale
        cases = [CardCase(str(m.params.get("ref", "")), dict(m.params)) for m in messages]
        new = all(m.key == "hotline.alert" for m in messages)
        payload = {
            "touser": address,
            "msgtype": "template_card",
            "template_card": merged_card(
                catalog, locale, cases, merged_task_id([m.ref for m in messages]), new=new
            ),
            "enable_duplicate_check": 1,
            "duplicate_check_interval": 1800,
        }
        return await self._send(address, payload)

    async def _send(self, address: str, payload: dict[str, Any]) -> SendResult:
        try:
            body = await self.client.send(payload)
        except WeComError as exc:
            raise classify(exc) from exc
        except httpx.HTTPError as exc:
            raise SendError.uncertain(f"wecom network: {type(exc).__name__}", "network") from exc
        invalid = str(body.get("invaliduser") or "")
        if address in invalid.split("|"):
            raise SendError(
                "wecom: user outside the app's visible range",
                SendFailure.REROUTE,
                code="wecom:invaliduser",
            )
        return SendResult(provider_id=str(body.get("msgid") or ""))

    async def close(self) -> None:
        await self.client.close()


def build_wecom_channel(settings: Any, db: Database, clock: Clock) -> WeComChannel:
    assert settings.wecom_corp_id and settings.wecom_secret and settings.wecom_agent_id
    client = WeComClient(
        corp_id=settings.wecom_corp_id,
        agent_id=int(settings.wecom_agent_id),
        secret=settings.wecom_secret,
        api_base=settings.wecom_api_base,
        db=db,
        clock=clock,
    )
    crypto = None
    if settings.wecom_token and settings.wecom_encoding_aes_key:
        crypto = WeComCrypto(
            settings.wecom_token, settings.wecom_encoding_aes_key, settings.wecom_corp_id
        )
    per_member = min(settings.wecom_member_per_minute / 60.0, 1000 / 3600.0)
    return WeComChannel(client, crypto, RateLimits(settings.wecom_rate, per_member))
