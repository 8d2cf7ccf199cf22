"""The safety screen: every inbound text is checked for mandatory-report concerns.

Public surface: `load_default_lexicon`, `Lexicon`, `Screen`, `Decision`, `Match`,
`safety_replies`, `open_case_effect`.
"""

from dialogs.screening.decision import Decision, Match
from dialogs.screening.lexicon import Lexicon, LexiconError, load_default_lexicon
from dialogs.screening.matcher import Screen
from dialogs.screening.replies import open_case_effect, safety_replies

__all__ = [
    "Decision",
    "Lexicon",
    "LexiconError",
    "Match",
    "Screen",
    "load_default_lexicon",
    "open_case_effect",
    "safety_replies",
]
