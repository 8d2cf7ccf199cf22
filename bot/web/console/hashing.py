"""argon2 verification on one thread.

`PasswordHasher.verify` runs as many threads as the hash has lanes (4 by default): on a
2-core server one sign-in check takes both cores, and the event loop and the SQLite thread
wait for a core behind it. The lanes are part of the hash, the threads are not: computing the
same lanes on one thread gives the same result, so this checks a stored hash with argon2's
own `argon2_ctx` and `threads = 1`, leaving the other core to webhooks.
"""

from __future__ import annotations

import base64
import hmac

from argon2 import Type, extract_parameters
from argon2.exceptions import InvalidHashError
from argon2.low_level import core, ffi, lib

THREADS = 1


def _b64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def verify_one_thread(encoded: str, password: str) -> bool:
    """True when `password` matches the PHC-encoded argon2 hash `encoded` (constant-time
    compare); False for a wrong password or a hash that cannot be read."""
    try:
        params = extract_parameters(encoded)
        salt, wanted = (_b64(part) for part in encoded.split("$")[-2:])
    except (InvalidHashError, ValueError):
        return False
    if params.type not in (Type.ID, Type.I, Type.D) or not salt or not wanted:
        return False
    secret = password.encode()
    out = ffi.new("uint8_t[]", len(wanted))
    c_secret = ffi.new("uint8_t[]", secret)
    c_salt = ffi.new("uint8_t[]", salt)
    ctx = ffi.new(
        "argon2_context *",
        {
            "out": out,
            "outlen": len(wanted),
            "pwd": c_secret,
            "pwdlen": len(secret),
            "salt": c_salt,
            "saltlen": len(salt),
            "secret": ffi.NULL,
            "secretlen": 0,
            "ad": ffi.NULL,
            "adlen": 0,
            "t_cost": params.time_cost,
            "m_cost": params.memory_cost,
            "lanes": params.parallelism,
            "threads": THREADS,
            "version": params.version,
            "allocate_cbk": ffi.NULL,
            "free_cbk": ffi.NULL,
            "flags": lib.ARGON2_DEFAULT_FLAGS,
        },
    )
    if core(ctx, params.type.value) != lib.ARGON2_OK:
        return False
    return hmac.compare_digest(bytes(ffi.buffer(out, len(wanted))), wanted)
