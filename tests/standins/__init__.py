"""Local stand-ins for the Twilio REST API and the Telegram Bot API (test infrastructure).

In-thread:
    with TwilioStandin() as twilio, TelegramStandin() as telegram:
        client.api.base_url = twilio.base_url
        Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(telegram.base_url)))
        twilio.recorder.script.add(twilio_api.rate_limited(times=2))
        await twilio.recorder.wait_for_count(2000, timeout=60)
Separate process: `python -m tests.standins twilio --port 0 --record-file X` (first stdout
line = port) and `StandinClient(base_url)` for the `/_standin` control routes.
"""

from tests.standins import telegram_api, telegram_updates, twilio_api
from tests.standins.recorder import Attempt, Recorder
from tests.standins.remote import StandinClient
from tests.standins.running import TelegramStandin, TwilioStandin
from tests.standins.script import Script, Scripted
from tests.standins.server import StandinServer
from tests.standins.telegram_api import create_telegram_app
from tests.standins.telegram_state import ApiCall, SentMessage, TelegramRecorder
from tests.standins.twilio_api import AcceptedMessage, TwilioRecorder, create_twilio_app
from tests.standins.twilio_callbacks import (
    send_status_callback,
    send_status_for,
    status_callback_params,
)

__all__ = [
    "AcceptedMessage",
    "ApiCall",
    "Attempt",
    "Recorder",
    "Script",
    "Scripted",
    "SentMessage",
    "StandinClient",
    "StandinServer",
    "TelegramRecorder",
    "TelegramStandin",
    "TwilioRecorder",
    "TwilioStandin",
    "create_telegram_app",
    "create_twilio_app",
    "send_status_callback",
    "send_status_for",
    "status_callback_params",
    "telegram_api",
    "telegram_updates",
    "twilio_api",
]
