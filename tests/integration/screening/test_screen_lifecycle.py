"""The screen learns from the hotline: staff verdicts on flagged cases and missed messages
are stored redacted and audited; a retrain stores a new version and makes it live only when
recall did not fall; the live screen follows the active version; administrators roll back."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.hotline.cli import run_eval
from bot.hotline.live_screen import default_screen
from bot.hotline.runtime import hotline_of
from bot.screening import train
from bot.screening.store import label_rows, retrain
from storage.db import Database
from storage.models import AuditEntry, CaseEvent, ScreenLabel
from storage.repos import screening as repo
from tests.integration.console.staffed import staffed
from tests.integration.hotline.helpers import cases, say

HEADER = "writer\tlabel\tcategory\tstyle\ttext\n"
REPORTS = [
    ("physical_abuse", "孩子被他爸打得满身是伤"), ("physical_abuse", "后妈天天拿棍子打娃"),
    ("missing", "孩子两天没回家了找不到"), ("missing", "娃儿不见了到处都找不到"),
    ("neglect_alone", "三岁的孩子一个人在家好几天了"), ("neglect_alone", "爸妈都走了孩子一个人过"),
    ("child_labour", "十二岁的孩子在砖厂干活"), ("child_labour", "小孩天天去工地搬砖"),
]  # fmt: skip
OKS = [
    "今天走访了三户孩子都好", "医保什么时候交", "打了疫苗胳膊有点红", "电视剧里孩子被拐了",
    "孩子考试考得不错", "明天开家长会", "居住证怎么办", "谢谢你们",
]  # fmt: skip


def write_corpus(folder: Path, flip: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n, writer in enumerate(("a", "b", "c")):
        lines = [HEADER]
        for i, (cat, text) in enumerate(REPORTS):
            label = "ok" if flip and i % 2 == 0 else "report"
            lines.append(f"{writer}\t{label}\t{cat}\t-\t{text}{'。' * n}\n")
        lines += [f"{writer}\tok\tneg_routine\t-\t{text}{'！' * n}\n" for text in OKS]
        (folder / f"{writer}.tsv").write_text("".join(lines), encoding="utf-8")
    return folder


async def test_verdicts_are_redacted_audited_and_join_the_training_data(db: Database) -> None:
    async with staffed(db) as staff:
        await say(staff.app, "A04刘乐乐被他爸打得满身是伤。我的手机号13912345678")
        [case] = await cases(staff.app)
        async with staff.signed_in("chen") as (client, csrf):
            page = await client.get(f"/console/cases/{case.ref}")
            assert 'id="verdict-form"' in page.text
            answer = await client.post(
                f"/console/screening/verdict/{case.ref}",
                data={"csrf_token": csrf, "verdict": "wrong_category",
                      "category": "domestic_violence"},
            )  # fmt: skip
            assert answer.status_code == 303
            missed = await client.post(
                "/console/screening/missed",
                data={"csrf_token": csrf, "text": "娃娃亲订了，才十三岁",
                      "category": "early_marriage"},
            )  # fmt: skip
            assert missed.status_code == 303
            bad = await client.post(
                "/console/screening/missed", data={"csrf_token": csrf, "text": "", "category": "x"}
            )
            assert "请填写消息内容" in bad.text
        async with staff.app.db.transaction() as s:
            labels = list((await s.execute(select(ScreenLabel).order_by(ScreenLabel.id))).scalars())
            events = [e.kind for e in (await s.execute(select(CaseEvent))).scalars()]
            actions = [a.action for a in (await s.execute(select(AuditEntry))).scalars()]
            rows = await label_rows(s)
        assert [(x.verdict, x.category) for x in labels] == [
            ("wrong_category", "domestic_violence"), ("missed", "early_marriage"),
        ]  # fmt: skip
        assert "13912345678" not in labels[0].text and "刘乐乐" not in labels[0].text
        assert "[电话]" in labels[0].text and "[姓名]" in labels[0].text
        assert "screen_verdict" in events
        assert {"screen_verdict", "screen_missed"} <= set(actions)
        assert (await cases(staff.app))[0].category == "domestic_violence"
        assert [(r.writer, r.label, r.category) for r in rows] == [
            ("hotline:2026", "report", "domestic_violence"),
            ("hotline:2026", "report", "early_marriage"),
        ]  # fmt: skip


async def test_retrain_replaces_only_when_recall_holds_and_rollback_returns(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with staffed(db) as staff:
        app = staff.app
        hl = hotline_of(app)
        first = await retrain(
            app.db, default_screen(),
            now=app.clock.now(), by="test", corpus=write_corpus(tmp_path / "good"),
        )  # fmt: skip
        assert first.replaced and first.figures["reports"]["n"] == 24
        await say(app, "你好", "+8613999999990")  # the live screen now uses the new version
        async with app.db.transaction() as s:
            screen = await hl.screens.get(s, app.clock.now())
        assert screen.model is not None and screen.model.version == first.version
        assert screen.screen("孩子被打得满身是伤").model_version == first.version
        real_build = train.build

        def worse_build(*args: object, **kwargs: object) -> train.Built:
            built = real_build(*args, **kwargs)  # type: ignore[arg-type]
            assert built.figures is not None
            built.figures.reports.alert -= 2  # two alerted reports fewer than before
            return built

        monkeypatch.setattr(train, "build", worse_build)
        app.clock.advance(minutes=1)  # type: ignore[attr-defined]
        worse = await retrain(
            app.db, screen, now=app.clock.now(), by="test",
            corpus=write_corpus(tmp_path / "flipped", flip=True),
        )  # fmt: skip
        assert not worse.replaced and worse.previous == first.version
        assert any(f.startswith("alert 1.000 ->") for f in worse.fell)
        async with app.db.transaction() as s:
            assert await repo.active_version(s) == first.version
            assert len(await repo.models(s)) == 2
        async with staff.signed_in("root") as (client, csrf):
            page = await client.get("/console/screening")
            assert first.version in page.text and worse.version in page.text
            back = await client.post(
                "/console/screening/rollback", data={"csrf_token": csrf, "version": "shipped"}
            )
            assert back.status_code == 303
            nope = await client.post(
                "/console/screening/rollback", data={"csrf_token": csrf, "version": "v-none"}
            )
            assert "没有这个模型版本" in nope.text
        async with staff.signed_in("chen") as (client, csrf):
            refused = await client.post(
                "/console/screening/rollback", data={"csrf_token": csrf, "version": first.version}
            )
            assert refused.status_code == 403
        async with app.db.transaction() as s:
            assert await repo.active_version(s) is None
            actions = [a.action for a in (await s.execute(select(AuditEntry))).scalars()]
        assert "screen_activate" in actions


def test_eval_prints_recall_and_false_alarms_per_category_and_style(tmp_path: Path) -> None:
    path = tmp_path / "set.tsv"
    path.write_text(
        "label\tcategory\ttext\nreport\tphysical_abuse\t邻居天天打他儿子\n"
        "ok\tneg_health\t打了疫苗胳膊有点红\n1\tmissing\t孩子不见了\n",
        encoding="utf-8",
    )
    out, err = io.StringIO(), io.StringIO()
    url = f"sqlite+aiosqlite:///{tmp_path / 'none.db'}"
    assert run_eval(url, path, False, out, err) == 0
    text = out.getvalue()
    assert "must report: 2" in text and "no report:   1" in text
    assert "physical_abuse" in text and "neg_health" in text
    bad = tmp_path / "bad.tsv"
    bad.write_text("label\ttext\nmaybe\tx\n", encoding="utf-8")
    assert run_eval(url, bad, False, io.StringIO(), err) == 2
    assert "bad.tsv:2: label must be report or ok" in err.getvalue()


async def test_models_command_lists_versions_and_rolls_back(db: Database, tmp_path: Path) -> None:
    from bot.hotline.cli import _models

    built = await retrain(
        db, default_screen(), now=datetime(2026, 3, 2, tzinfo=UTC), by="cli",
        corpus=write_corpus(tmp_path / "c"),
    )  # fmt: skip
    out, err = io.StringIO(), io.StringIO()
    assert await _models(db.url, None, out, err) == 0
    assert f"* {built.version}" in out.getvalue() and "  shipped" in out.getvalue()
    assert await _models(db.url, "v-none", io.StringIO(), err) == 2
    assert "no model 'v-none'" in err.getvalue()
    out = io.StringIO()
    assert await _models(db.url, "shipped", out, err) == 0
    assert "* shipped" in out.getvalue()
    async with db.transaction() as s:
        actions = [a.action for a in (await s.execute(select(AuditEntry))).scalars()]
    assert actions == ["screen_model_built", "screen_activate"]
