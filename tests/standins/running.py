"""Ready-to-use stand-ins: recorder + app + in-thread server in one object."""

from __future__ import annotations

from pathlib import Path

from tests.standins.server import RunningStandin, StandinServer
from tests.standins.telegram_api import create_telegram_app
from tests.standins.telegram_state import DEFAULT_TOKEN, TelegramRecorder
from tests.standins.twilio_api import (
    DEFAULT_ACCOUNT_SID,
    DEFAULT_AUTH_TOKEN,
    TwilioRecorder,
    create_twilio_app,
)


class TwilioStandin(RunningStandin):
    """`with TwilioStandin() as twilio: client.api.base_url = twilio.base_url`."""

    def __init__(
        self,
        account_sid: str = DEFAULT_ACCOUNT_SID,
        auth_token: str = DEFAULT_AUTH_TOKEN,
        *,
        port: int = 0,
        record_file: Path | None = None,
    ) -> None:
        self.recorder = TwilioRecorder(account_sid, auth_token, record_file)
        self.server = StandinServer(
            create_twilio_app(self.recorder), port=port, on_stop=self.recorder.close
        )


class TelegramStandin(RunningStandin):
    """`with TelegramStandin() as tg: TelegramAPIServer.from_base(tg.base_url)`."""

    def __init__(
        self, token: str = DEFAULT_TOKEN, *, port: int = 0, record_file: Path | None = None
    ) -> None:
        self.recorder = TelegramRecorder(token, record_file=record_file)
        self.server = StandinServer(
            create_telegram_app(self.recorder), port=port, on_stop=self.recorder.close
        )
