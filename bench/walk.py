"""One simulated call: the walk a caller takes through the Botox line, step by step.

The walk follows the TwiML the server returns, as Twilio does: an input goes to the
action of the last answer's ``<Gather>``, a transfer's result to its ``<Dial>`` action.
Only the status callback has a fixed URL (it is set in Twilio's console).
"""

from __future__ import annotations

import random
import secrets
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import urljoin

#: The webhooks, in the order of the report's tables.
WEBHOOKS = ("voice", "respond", "dial-finished", "status")
#: Where each webhook is when there is no TwiML to follow (the first step, the floor).
PATHS = {
    "voice": "/voice",
    "respond": "/voice/respond?node=main&tries=0&rate=100",
    "dial-finished": "/voice/dial-finished?node=check-swelling&target=clinic&tries=0&rate=100",
    "status": "/voice/status",
}
#: What each answer must be: the HTTP status, for the line and for the floor alike.
EXPECTED_STATUS = {"voice": 200, "respond": 200, "dial-finished": 200, "status": 204}


@dataclass(frozen=True)
class Step:
    """One webhook request of the walk."""

    webhook: str
    #: Form fields on top of the call's own (Digits, SpeechResult, DialCallStatus...).
    form: tuple[tuple[str, str], ...]
    #: The verb of the previous answer whose action URL this step posts to, if any.
    follows: str | None
    #: What the step is, for the report.
    what: str

    @property
    def spoken(self) -> bool:
        """The caller speaks at this step (a turn the understanding works on)."""
        return any(name == "SpeechResult" for name, _ in self.form)


#: The walk: greeting, an answer (by voice, a question in the caller's words), a repeat (by voice, a command word),
#: back to the main menu,
#: the concerning-symptoms branch, a transfer and its result, the status callback.
WALK = (
    Step("voice", (("CallStatus", "ringing"),), None, "the call comes in: greeting and main menu"),
    # A question the line's understanding by meaning takes straight to its answer: a symptom described ("my face is
    # still puffy since the injection") is now asked back about, then transferred, which a walk cannot follow.
    Step("respond", (("SpeechResult", "how long does the puffiness last"), ("Confidence", "0.87")),
         "Gather", 'asks "how long does the puffiness last": the answer on how long swelling lasts'),
    Step("respond", (("SpeechResult", "repeat"), ("Confidence", "0.93")), "Gather",
         'says the command word "repeat": the answer again'),
    Step("respond", (("Digits", "#"),), "Gather", "presses pound: the main menu"),
    Step("respond", (("Digits", "1"),), "Gather", "presses 1: the worrying-symptoms menu"),
    Step("respond", (("Digits", "2"),), "Gather", "presses 2: swelling to be checked, a transfer"),
    Step("dial-finished", (), "Dial", "the transfer ends: answered (3 in 4), busy or no answer"),
    Step("status", (("CallStatus", "completed"),), None, "Twilio's status callback"),
)
#: How transfers end, in proportion.
DIAL_RESULTS = ("completed", "completed", "completed", "busy", "no-answer")


def call_form(rng: random.Random) -> dict[str, str]:
    """The parameters Twilio sends with every webhook of one call (about 700 bytes, as Twilio's)."""
    caller = f"+120255501{rng.randrange(100):02d}"  # fictional numbers (555-01xx)
    form = {
        "AccountSid": "AC" + secrets.token_hex(16),
        "ApiVersion": "2010-04-01",
        "CallSid": "CA" + secrets.token_hex(16),
        "CallStatus": "in-progress",
        "Direction": "inbound",
        "From": caller,
        "Caller": caller,
        "To": "+12025550143",
        "Called": "+12025550143",
    }
    for side in ("From", "Caller", "To", "Called"):
        form.update({f"{side}City": "WASHINGTON", f"{side}State": "DC", f"{side}Zip": "20001",
                     f"{side}Country": "US"})
    return form


def step_form(step: Step, rng: random.Random) -> dict[str, str]:
    form = dict(step.form)
    if step.webhook == "dial-finished":
        form["DialCallStatus"] = rng.choice(DIAL_RESULTS)
    return form


def next_url(step: Step, base: str, previous: ET.Element | None, follow: bool) -> str | None:
    """The URL of ``step``: from the previous answer when following TwiML, else the fixed path.

    None when the previous answer does not offer what the step needs: the walk broke.
    """
    if not follow or step.follows is None:
        return urljoin(base, PATHS[step.webhook])
    verb = previous.find(step.follows) if previous is not None else None
    if verb is None or not verb.get("action"):
        return None
    return urljoin(base, verb.get("action", ""))
