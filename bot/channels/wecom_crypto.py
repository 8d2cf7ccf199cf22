"""WeCom (企业微信) callback crypto: `msg_signature` and AES-256-CBC, with `cryptography`.

- msg_signature = SHA1 of the sorted, concatenated [token, timestamp, nonce, Encrypt].
- AES key = Base64-decode(EncodingAESKey + "="); IV = the key's first 16 bytes; PKCS#7
  padding to a multiple of 32 bytes.
- Plaintext = 16 random bytes + 4-byte big-endian length + message + receive id (the CorpID
  for a self-built app).
Checked against WeCom's published sample vectors (tests/unit/mainland/test_wecom_crypto.py).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from content.errors import ChannelError

BLOCK = 32


class WeComCryptoError(ChannelError):
    """A callback that is not authentic or not readable; the route answers 403."""


def signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypted])).encode()).hexdigest()


class WeComCrypto:
    def __init__(self, token: str, encoding_aes_key: str, receive_id: str) -> None:
        try:
            self.key = base64.b64decode(encoding_aes_key + "=")
        except binascii.Error as exc:
            raise ValueError("EncodingAESKey is not WeCom's 43-character key") from exc
        if len(self.key) != 32:
            raise ValueError("EncodingAESKey must decode to 32 bytes (43 characters)")
        self.token = token
        self.receive_id = receive_id

    def check(self, msg_signature: str, timestamp: str, nonce: str, encrypted: str) -> bool:
        """Constant-time comparison of the signature."""
        expected = signature(self.token, timestamp, nonce, encrypted)
        return hmac.compare_digest(expected.encode(), (msg_signature or "").lower().encode())

    def _cipher(self) -> Cipher[modes.CBC]:
        return Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16]))

    def decrypt(self, encrypted: str) -> str:
        try:
            raw = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise WeComCryptoError("Encrypt is not base64") from exc
        if not raw or len(raw) % 16:
            raise WeComCryptoError("Encrypt has a bad length")
        decryptor = self._cipher().decryptor()
        padded = decryptor.update(raw) + decryptor.finalize()
        pad = padded[-1]
        if not 1 <= pad <= BLOCK or padded[-pad:] != bytes([pad]) * pad:
            raise WeComCryptoError("bad padding")
        plain = padded[:-pad]
        if len(plain) < 20:
            raise WeComCryptoError("too short")
        (length,) = struct.unpack(">I", plain[16:20])
        message, receive_id = plain[20 : 20 + length], plain[20 + length :]
        if len(message) != length:
            raise WeComCryptoError("bad length")
        if not hmac.compare_digest(receive_id, self.receive_id.encode()):
            raise WeComCryptoError("for another receive id (CorpID)")
        try:
            return message.decode()
        except UnicodeDecodeError as exc:
            raise WeComCryptoError("not UTF-8") from exc

    def encrypt(self, message: str, random16: bytes | None = None) -> str:
        """As WeCom encrypts (used by the stand-in and for passive replies)."""
        body = message.encode()
        plain = (random16 or os.urandom(16)) + struct.pack(">I", len(body)) + body
        plain += self.receive_id.encode()
        pad = BLOCK - len(plain) % BLOCK
        plain += bytes([pad]) * pad
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()
