"""Twilio-style status callbacks, signed the way Twilio signs them (X-Twilio-Signature)."""

from __future__ import annotations

from collections.abc import Mapping

import httpx
from twilio.request_validator import RequestValidator

from tests.standins.twilio_api import API_VERSION, AcceptedMessage

SIGNATURE_HEADER = "X-Twilio-Signature"


def status_callback_params(
    message: AcceptedMessage, status: str, error_code: int | None = None
) -> dict[str, str]:
    """The form Twilio posts for a message status change (sent, delivered, failed...)."""
    params = {
        "AccountSid": message.account_sid,
        "ApiVersion": API_VERSION,
        "From": message.from_ or "",
        "MessageSid": message.sid,
        "MessageStatus": status,
        "SmsSid": message.sid,
        "SmsStatus": status,
        "To": message.to,
    }
    if message.messaging_service_sid:
        params["MessagingServiceSid"] = message.messaging_service_sid
    if error_code is not None:
        params["ErrorCode"] = str(error_code)
    return params


def sign(url: str, auth_token: str, params: Mapping[str, str]) -> str:
    return str(RequestValidator(auth_token).compute_signature(url, dict(params)))


async def send_status_callback(
    url: str,
    auth_token: str,
    params: Mapping[str, str],
    *,
    client: httpx.AsyncClient | None = None,
) -> httpx.Response:
    """POST `params` form-encoded to `url`, signed for `url` exactly as given."""
    headers = {SIGNATURE_HEADER: sign(url, auth_token, params)}
    if client is not None:
        return await client.post(url, data=dict(params), headers=headers)
    async with httpx.AsyncClient(timeout=10.0) as own_client:
        return await own_client.post(url, data=dict(params), headers=headers)


async def send_status_for(
    message: AcceptedMessage,
    status: str,
    auth_token: str,
    *,
    error_code: int | None = None,
    client: httpx.AsyncClient | None = None,
) -> httpx.Response:
    """Post the status callback Twilio would send for `message` to its StatusCallback URL."""
    if not message.status_callback:
        raise ValueError(f"message {message.sid} was sent without a StatusCallback")
    params = status_callback_params(message, status, error_code)
    return await send_status_callback(message.status_callback, auth_token, params, client=client)
