"""A call on a line: given where a caller is and what they pressed or said, what they hear next.

Imports no Flask; the web views (:mod:`ivr.web`) hand each request to a :class:`CallFlow`.
"""

from ivr.call.flow import LANGUAGE_CHOSEN, CallFlow, CallState, Connect, Finish, Listen, Target, Turn
from ivr.call.last_good import LastGoodLines, last_good_folder
from ivr.call.live import Active, LiveLine
from ivr.call.versioned import VersionedLine, Versions

__all__ = [
    "LANGUAGE_CHOSEN",
    "Active",
    "CallFlow",
    "CallState",
    "Connect",
    "Finish",
    "LastGoodLines",
    "Listen",
    "LiveLine",
    "Target",
    "Turn",
    "VersionedLine",
    "Versions",
    "last_good_folder",
]
