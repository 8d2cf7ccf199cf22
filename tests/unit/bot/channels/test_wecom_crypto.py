"""WeCom callback crypto against WeCom's published sample vectors (the official samples'
Token QDG6eK, CorpID wx5823bf96d3bd56c7, EncodingAESKey jWmYm7…; see MAINLAND-CHANNELS.md)."""

from __future__ import annotations

import pytest

from bot.channels.wecom_crypto import WeComCrypto, WeComCryptoError, signature

TOKEN = "QDG6eK"
CORP_ID = "wx5823bf96d3bd56c7"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
ECHO = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
MESSAGE = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj9"
    "11L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06D"
    "OdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH"
    "03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6"
    "BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN"
    "+E7Q=="
)


@pytest.fixture
def crypto() -> WeComCrypto:
    return WeComCrypto(TOKEN, AES_KEY, CORP_ID)


def test_url_verification_vector(crypto: WeComCrypto) -> None:
    sig = "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"
    assert signature(TOKEN, "1409659589", "263014780", ECHO) == sig
    assert crypto.check(sig, "1409659589", "263014780", ECHO)
    assert crypto.decrypt(ECHO) == "1616140317555161061"


def test_message_vector(crypto: WeComCrypto) -> None:
    sig = "477715d11cdb4164915debcba66cb864d751f3e6"
    assert crypto.check(sig, "1409659813", "1372623149", MESSAGE)
    xml = crypto.decrypt(MESSAGE)
    assert "<FromUserName><![CDATA[mycreate]]></FromUserName>" in xml
    assert "<Content><![CDATA[hello]]></Content>" in xml
    assert "<MsgId>4561255354251345929</MsgId>" in xml and "<AgentID>218</AgentID>" in xml


@pytest.mark.parametrize(
    ("sig", "ts", "nonce"),
    [
        ("5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd4", "1409659589", "263014780"),  # one digit off
        ("5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", "1409659590", "263014780"),  # other time
        ("5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", "1409659589", "263014781"),  # other nonce
        ("", "1409659589", "263014780"),
    ],
)
def test_a_changed_signature_input_fails(
    crypto: WeComCrypto, sig: str, ts: str, nonce: str
) -> None:
    assert not crypto.check(sig, ts, nonce, ECHO)


def test_round_trip_and_other_corp_refused(crypto: WeComCrypto) -> None:
    enc = crypto.encrypt("<xml><Content><![CDATA[走访]]></Content></xml>")
    assert crypto.decrypt(enc) == "<xml><Content><![CDATA[走访]]></Content></xml>"
    other = WeComCrypto(TOKEN, AES_KEY, "ww-other-corp")
    with pytest.raises(WeComCryptoError):
        other.decrypt(enc)


@pytest.mark.parametrize("bad", ["", "not base64!!", "AAAA", ECHO[:-8] + "AAAAAAA="])
def test_garbage_is_a_crypto_error_never_a_crash(crypto: WeComCrypto, bad: str) -> None:
    with pytest.raises(WeComCryptoError):
        crypto.decrypt(bad)
