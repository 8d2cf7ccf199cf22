"""`careline vaccines`: dated doses and Chinese names in, JSON with the batches out; bad input
is an error that names the fix, never a traceback."""

from __future__ import annotations

import json

import pytest

from bot.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["vaccines", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_dated_and_chinese_names(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "--birth",
        "2020-03-01",
        "--sex",
        "m",
        "--given",
        "HepB1@2020-03-02,卡介苗,乙肝第2剂@2020-04-01,百白破1",
        "--as-of",
        "2026-03-02",
    )
    assert code == 0
    report = json.loads(out)
    codes = {d["code"] for d in report["plan"]}
    assert not {"HepB1", "BCG", "HepB2", "DTaP1"} & codes
    assert {"HepB3", "DTaP2", "IPV1"} <= set(report["batches"][0]["codes"])
    row = report["doses"][0]
    assert set(row) >= {"code", "vaccine", "dose", "due_date", "earliest_allowed", "status"}
    assert report["unknown_given"] == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--birth", "2020-03-01", "--given", "乙肝一"], "accepted: HepB1"),
        (["--birth", "2020-03-01", "--given", "HepB1@yesterday"], "YYYY-MM-DD"),
        (["--birth", "2027-01-01", "--as-of", "2026-03-02"], "after"),
        (["--birth", "2020-02-30"], "YYYY-MM-DD"),
        (["--birth", "2020-03-01", "--sex", "x"], "f or m"),
    ],
)
def test_bad_input_names_the_fix(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err


def test_unknown_sex_with_hpv_is_a_warning_not_silence(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--birth", "2012-06-01", "--as-of", "2026-03-02")
    assert code == 0
    report = json.loads(out)
    assert any("HPV" in w and "sex unknown" in w for w in report["warnings"])
    assert {"code": "HPV1", "reason": "sex_unknown"} in report["not_given"]
    assert "careline vaccines: warning: sex unknown: HPV" in err
    code, out, err = run(capsys, "--birth", "2012-06-01", "--sex", "f", "--as-of", "2026-03-02")
    assert json.loads(out)["warnings"] == [] and err == ""
    assert "HPV1" in {d["code"] for d in json.loads(out)["plan"]}
