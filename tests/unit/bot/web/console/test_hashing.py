"""Password checks run argon2 on one thread and agree with argon2's own verify."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from argon2 import PasswordHasher, Type

from bot.web.console import auth
from bot.web.console.hashing import verify_one_thread

FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=4)
ONE = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)
ARGON2I = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=2, type=Type.I)


@pytest.mark.parametrize(
    ("hasher", "password", "tried", "expected"),
    [
        (FAST, "Correct-Horse-9", "Correct-Horse-9", True),
        (FAST, "Correct-Horse-9", "correct-horse-9", False),
        (FAST, "密码-很长-123", "密码-很长-123", True),
        (ONE, "a-b-c-1", "a-b-c-1", True),
        (ARGON2I, "x1", "x1", True),
        (ARGON2I, "x1", "x2", False),
    ],
)
def test_agrees_with_argon2(
    hasher: PasswordHasher, password: str, tried: str, expected: bool
) -> None:
    stored = hasher.hash(password)
    assert verify_one_thread(stored, tried) is expected
    assert auth.verify_password(stored, tried) is expected


@pytest.mark.parametrize(
    "stored",
    ["", "not a hash", "$argon2id$v=19$m=1024,t=1,p=4$!!!$???", "$2b$12$abcdefghijklmnopqrstuv"],
)
def test_unreadable_hashes_never_match(stored: str) -> None:
    assert verify_one_thread(stored, "anything") is False
    assert auth.verify_password(stored, "anything") is False


def test_no_stored_hash_is_checked_against_the_dummy_and_fails() -> None:
    assert auth.verify_password(None, "careline-no-such-user") is False


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_a_check_with_the_default_parameters_uses_one_thread() -> None:
    """The default hash has 4 lanes; argon2's own verify would start 4 threads for them."""
    stored = PasswordHasher().hash("Correct-Horse-9")
    baseline = len(os.listdir("/proc/self/task"))
    most = baseline
    done = threading.Event()

    def check() -> None:
        try:
            auth.verify_password(stored, "wrong-horse-9")
        finally:
            done.set()

    worker = threading.Thread(target=check)
    worker.start()
    while not done.is_set():
        most = max(most, len(os.listdir("/proc/self/task")))
    worker.join()
    assert most - baseline <= 1  # the checking thread itself, no lane threads
