"""The safety screen: every inbound text is checked for mandatory-report concerns.

Public surface: `Lexicon`, `Screen`, `Decision`, `Match`, `safety_replies`, `open_case_effect`.
The shell reads the files (bot/screening/files.py); nothing here opens one.
"""

from dialogs.screening.decision import Decision, Match
from dialogs.screening.lexicon import Lexicon, LexiconError
from dialogs.screening.matcher import Screen
from dialogs.screening.replies import open_case_effect, safety_replies

__all__ = [
    "Decision",
    "Lexicon",
    "LexiconError",
    "Match",
    "Screen",
    "open_case_effect",
    "safety_replies",
]
