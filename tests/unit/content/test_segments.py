import pytest

from content.segments import count_segments


@pytest.mark.parametrize(
    ("text", "encoding", "segments"),
    [
        ("提" * 70, "UCS-2", 1),
        ("提" * 71, "UCS-2", 2),
        ("提" * 134, "UCS-2", 2),
        ("提" * 135, "UCS-2", 3),
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 159 + "€", "GSM-7", 2),  # the euro sign costs two septets
        ("Hello “world”", "UCS-2", 1),  # curly quotes force UCS-2
        ("😀" * 35, "UCS-2", 1),  # emoji are two UTF-16 units
        ("😀" * 36, "UCS-2", 2),
        ("a" * 66 + "😀" + "提" * 10, "UCS-2", 2),  # a surrogate pair is never split
        ("", "GSM-7", 0),
    ],
)
def test_segments(text: str, encoding: str, segments: int) -> None:
    info = count_segments(text)
    assert (info.encoding, info.segments) == (encoding, segments)


@pytest.mark.parametrize(
    ("length", "expected"), [(0, 1), (10, 10), (1600, 1600), (1601, 1600), (5000, 1600)]
)
def test_sms_body_fits_twilio(length: int, expected: int) -> None:
    from bot.channels.sms import fit_body

    body = fit_body("提" * length)
    assert len(body) == expected and body
