"""Answer first when busy (bot/intake.py), on a stand-in for the inbound path: when a webhook
processes before answering, when it only stores, and in which order the backlog goes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.intake import Intake
from bot.service import Handled
from dialogs.types import Channel, Inbound

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def msg(address: str, pid: str, text: str = "帮助") -> Inbound:
    return Inbound(Channel.SMS, address, pid, NOW, text=text)


class Path:
    """Records what the intake asked for. `gate` holds every inline handle until it is set;
    `fail` names provider ids whose processing fails."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.gate.set()
        self.calls: list[tuple[str, str]] = []  # (what, provider id)
        self.ids: dict[str, int] = {}
        self.fail: set[str] = set()
        self.broken: set[str] = set()  # processing raises (the database went away)
        self.store_gate = asyncio.Event()  # holds every store until it is set
        self.store_gate.set()
        self.process_gate = asyncio.Event()  # holds every backlog row's processing
        self.process_gate.set()

    def _id(self, inbound: Inbound) -> int | None:
        if inbound.provider_id in self.ids:
            return None  # a provider's retry
        self.ids[inbound.provider_id] = len(self.ids) + 1
        return self.ids[inbound.provider_id]

    async def handle(self, inbound: Inbound) -> Handled:
        self.calls.append(("handle", inbound.provider_id))
        await self.gate.wait()
        inbound_id = self._id(inbound)
        return Handled(inbound_id, duplicate=inbound_id is None)

    async def store(self, inbound: Inbound) -> Handled:
        self.calls.append(("store", inbound.provider_id))
        await self.store_gate.wait()
        inbound_id = self._id(inbound)
        return Handled(inbound_id, duplicate=inbound_id is None)

    async def process(self, inbound_id: int, inbound: Inbound) -> bool:
        await self.process_gate.wait()
        self.calls.append(("process", inbound.provider_id))
        if inbound.provider_id in self.broken:
            raise ConnectionError("gone")
        return inbound.provider_id not in self.fail

    def processed(self) -> list[str]:
        return [pid for what, pid in self.calls if what == "process"]


async def busy_intake(path: Path, **kwargs: object) -> tuple[Intake, asyncio.Task[Handled]]:
    """An intake with defer_at 1 and one webhook held in processing: the next ones defer."""
    intake = Intake(path, defer_at=1, **kwargs)  # type: ignore[arg-type]
    path.gate.clear()
    held = asyncio.create_task(intake.accept(msg("+8613900000001", "inline")))
    await asyncio.sleep(0)
    assert intake.busy()
    return intake, held


async def test_a_quiet_process_processes_before_it_answers() -> None:
    path = Path()
    intake = Intake(path, defer_at=4)
    for i in range(5):
        handled = await intake.accept(msg(f"+86139000000{i:02d}", f"m{i}"))
        assert handled.inbound_id == i + 1
    assert [what for what, _ in path.calls] == ["handle"] * 5
    assert intake.stats.inline == 5 and intake.stats.deferred == 0


@pytest.mark.parametrize(
    ("defer_at", "in_flight", "defers"),
    [
        (4, 3, False),  # below the threshold: processed before the answer
        (4, 4, True),  # at it: answered once stored
        (1, 1, True),
        (0, 50, False),  # 0: never answer first
    ],
)
async def test_when_a_webhook_answers_first(defer_at: int, in_flight: int, defers: bool) -> None:
    path = Path()
    path.gate.clear()
    intake = Intake(path, defer_at=defer_at)
    held = [
        asyncio.create_task(intake.accept(msg(f"+861390000{i:04d}", f"h{i}")))
        for i in range(in_flight)
    ]
    await asyncio.sleep(0)
    late = asyncio.create_task(intake.accept(msg("+8613911111111", "late")))
    await asyncio.sleep(0)
    assert late.done() is defers
    assert (("store", "late") in path.calls) is defers
    path.gate.set()
    await asyncio.gather(*held, late)
    await intake.drained()
    assert (("process", "late") in path.calls) is defers


async def test_the_backlog_keeps_each_senders_order_and_takes_danger_first() -> None:
    path = Path()
    intake, held = await busy_intake(path, urgent=lambda m: "打" in m.text)
    a, b, c = "+8613900000011", "+8613900000012", "+8613900000013"
    for sender, pid, text in [
        (a, "a1", "帮助"),
        (b, "b1", "帮助"),
        (a, "a2", "帮助"),
        (c, "c1", "孩子被打了"),  # danger: its sender goes before the others
        (b, "b2", "孩子被打了"),  # b moves up, b1 still before b2
    ]:
        handled = await intake.accept(msg(sender, pid, text))
        assert handled.inbound_id is not None  # answered: stored
    assert intake.backlog == 5
    path.gate.set()
    await held
    await intake.drained()
    order = path.processed()
    # b2 and c1 look urgent: before a's rows; b1 goes before b2, its sender's later message
    assert order == ["b1", "b2", "c1", "a1", "a2"]
    assert intake.stats.processed == 5 and intake.backlog == 0


async def test_a_senders_row_waits_while_their_webhook_is_processed_inline() -> None:
    path = Path()
    intake, held = await busy_intake(path)
    await intake.accept(msg("+8613900000001", "after"))  # the held webhook's sender
    await intake.accept(msg("+8613900000099", "other"))
    for _ in range(5):
        await asyncio.sleep(0)
    assert path.processed() == ["other"]  # "after" waits for "inline" to finish
    path.gate.set()
    await held
    await intake.drained()
    assert path.processed() == ["other", "after"]


async def test_while_rows_wait_a_new_sender_is_processed_inline_and_a_waiting_one_waits() -> None:
    path = Path()
    intake = Intake(path, defer_at=2)
    path.process_gate.clear()
    path.gate.clear()
    held = [asyncio.create_task(intake.accept(msg(f"+86139000000{i}", f"h{i}"))) for i in (1, 2)]
    await asyncio.sleep(0)
    await intake.accept(msg("+8613900000005", "w1"))  # two in flight: answered first
    path.gate.set()
    await asyncio.gather(*held)
    assert intake.backlog == 1  # w1 is waiting (its processing is slow)
    new = await intake.accept(msg("+8613900000006", "n1"))  # a new sender: processed now
    assert ("handle", "n1") in path.calls and new.inbound_id is not None
    await intake.accept(msg("+8613900000005", "w2"))  # w1's sender: after w1, so answered first
    assert ("store", "w2") in path.calls and ("handle", "w2") not in path.calls
    path.process_gate.set()
    await intake.drained()
    assert path.processed() == ["w1", "w2"]
    assert intake.stats.inline == 3 and intake.stats.deferred == 2


async def test_a_message_waits_while_an_earlier_one_of_its_sender_is_being_stored() -> None:
    path = Path()
    intake, held = await busy_intake(path)
    path.store_gate.clear()
    first = asyncio.create_task(intake.accept(msg("+8613900000007", "s1")))  # answered first
    await asyncio.sleep(0)
    path.gate.set()
    await held  # nothing in flight now, but s1's insert is still under way
    assert not intake.busy() and intake.busy(("sms", "+8613900000007"))
    second = asyncio.create_task(intake.accept(msg("+8613900000007", "s2")))
    await asyncio.sleep(0)
    assert ("handle", "s2") not in path.calls  # not processed before s1
    path.store_gate.set()
    await asyncio.gather(first, second)
    await intake.drained()
    assert path.processed() == ["s1", "s2"]


async def test_in_a_burst_answers_go_before_the_backlog_but_danger_does_not_wait() -> None:
    path = Path()
    intake, held = await busy_intake(path, urgent=lambda m: "打" in m.text, patience=30)
    await intake.accept(msg("+8613900000081", "plain"))
    await intake.accept(msg("+8613900000082", "danger", "孩子被打了"))
    path.store_gate.clear()
    storing = asyncio.create_task(intake.accept(msg("+8613900000083", "storing")))
    path.gate.set()
    await held
    for _ in range(10):
        await asyncio.sleep(0)
    assert path.processed() == ["danger"]  # "plain" waits while a webhook is being stored
    path.store_gate.set()
    await storing
    await intake.drained()
    assert path.processed() == ["danger", "plain", "storing"]


async def test_a_retry_of_a_stored_message_is_not_processed_again() -> None:
    path = Path()
    intake, held = await busy_intake(path)
    assert (await intake.accept(msg("+8613900000002", "x"))).inbound_id is not None
    assert (await intake.accept(msg("+8613900000002", "x"))).duplicate
    path.gate.set()
    await held
    await intake.drained()
    assert path.processed() == ["x"]


async def test_a_failed_row_leaves_the_backlog_for_the_retry_job() -> None:
    path = Path()
    path.fail.add("bad")
    path.broken.add("gone")
    intake, held = await busy_intake(path)
    for n, pid in enumerate(("bad", "gone", "good")):
        await intake.accept(msg(f"+861390000010{n}", pid))
        assert intake.holds(path.ids[pid])
    path.gate.set()
    await held
    await intake.drained()
    assert intake.stats.failed == 2 and intake.stats.processed == 1
    assert not any(intake.holds(i) for i in path.ids.values())  # the retry job may take them


async def test_stopping_leaves_waiting_rows_stored_for_the_retry_job() -> None:
    path = Path()
    intake, held = await busy_intake(path)
    path.process_gate.clear()
    for i in range(3):
        await intake.accept(msg(f"+861390000002{i}", f"w{i}"))
    await asyncio.sleep(0)
    stopping = asyncio.create_task(intake.stop())
    await asyncio.sleep(0)
    late = await intake.accept(msg("+8613900000030", "late"))  # while stopping: stored only
    assert late.inbound_id is not None and not intake.holds(late.inbound_id)
    path.process_gate.set()
    await stopping
    assert path.processed() == ["w0"]  # the one in hand finished; w1, w2 stay stored
    assert intake.backlog == 0
    path.gate.set()
    await held


async def test_a_worker_stuck_past_the_grace_is_cancelled_and_the_intake_starts_again() -> None:
    path = Path()
    intake, held = await busy_intake(path)
    stuck = asyncio.Event()  # never set: the database does not answer

    async def hangs(inbound_id: int, inbound: Inbound) -> bool:
        await stuck.wait()
        return True

    real = path.process
    path.process = hangs  # type: ignore[method-assign]
    await intake.accept(msg("+8613900000040", "s0"))
    await intake.accept(msg("+8613900000040", "s1"))  # the same sender, waiting behind s0
    await asyncio.sleep(0)
    await intake.stop(grace=0)  # the stuck one is cancelled; s1 stays stored
    assert intake.backlog == 0
    path.process = real  # type: ignore[method-assign]
    path.gate.set()
    await held
    assert not intake.busy()
    intake.defer_at = 1
    path.gate.clear()
    again = asyncio.create_task(intake.accept(msg("+8613900000041", "inline2")))
    await asyncio.sleep(0)
    await intake.accept(msg("+8613900000042", "after"))  # deferred, to a new worker
    path.gate.set()
    await again
    await intake.drained()
    assert path.processed() == ["after"]
