import pytest

from bot.config import ConfigError, load_settings


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CARELINE_TIMEZONE": "Mars/Base"}, "CARELINE_TIMEZONE: unknown time zone"),
        (
            {"CARELINE_TELEGRAM_TOKEN": "x", "CARELINE_TELEGRAM_WEBHOOK_SECRET": "bad secret!"},
            "CARELINE_TELEGRAM_WEBHOOK_SECRET: must be 1-256 characters",
        ),
        (
            {"CARELINE_TWILIO_ACCOUNT_SID": "AC1"},
            "set CARELINE_TWILIO_AUTH_TOKEN, CARELINE_TWILIO_FROM",
        ),
        (
            {
                "CARELINE_TWILIO_ACCOUNT_SID": "AC1",
                "CARELINE_TWILIO_AUTH_TOKEN": "t",
                "CARELINE_TWILIO_FROM": "+15005550006",
            },
            "CARELINE_PUBLIC_URL is required with Twilio",
        ),
        (
            {"CARELINE_PUBLIC_URL": "careline.example.org"},
            "CARELINE_PUBLIC_URL: must be an http(s)://",
        ),
        ({"CARELINE_PORT": "eighty"}, "CARELINE_PORT:"),
    ],
)
def test_bad_settings_name_the_setting_and_fix(
    env: dict[str, str], message: str, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.chdir(tmp_path)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError) as err:
        load_settings()
    text = str(err.value)
    assert message in text
    assert "\n" not in text


def test_channels_switch_on_with_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    assert not load_settings().telegram_enabled
    monkeypatch.setenv("CARELINE_TELEGRAM_TOKEN", "123:abc")
    monkeypatch.setenv("CARELINE_TWILIO_ACCOUNT_SID", "AC1")
    monkeypatch.setenv("CARELINE_TWILIO_AUTH_TOKEN", "tok")
    monkeypatch.setenv("CARELINE_TWILIO_FROM", "MG123")
    monkeypatch.setenv("CARELINE_PUBLIC_URL", "https://careline.example.org/")
    s = load_settings()
    assert s.telegram_enabled and s.twilio_enabled
    assert s.public_url == "https://careline.example.org"


def test_env_file_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("CARELINE_PORT=9090\n")
    assert load_settings().port == 9090


@pytest.mark.parametrize(
    ("values", "media_dir"),
    [
        ({}, "media"),  # beside ./careline.db
        (
            {"database_url": "sqlite+aiosqlite:////var/lib/careline/careline.db"},
            "/var/lib/careline/media",
        ),
        ({"database_url": "postgresql+asyncpg://careline@db/careline"}, "data/media"),
        ({"database_url": "sqlite+aiosqlite:///:memory:"}, "data/media"),
        (
            {"data_dir": "/srv/careline", "database_url": "sqlite+aiosqlite:///x.db"},
            "/srv/careline/media",
        ),
    ],
)
def test_the_media_store_lives_under_the_data_directory(
    values: dict[str, str], media_dir: str, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.chdir(tmp_path)
    assert str(load_settings(_env_file=None, **values).media_dir) == media_dir
