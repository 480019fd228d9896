"""Callers are kept as a keyed hash of their number: repeat callers can be counted, numbers never read."""

from __future__ import annotations

import hashlib
import hmac

import phonenumbers

#: Caller IDs Twilio gives for withheld numbers (the keypad spellings of ANONYMOUS, RESTRICTED, UNKNOWN and
#: BLOCKED that carriers pass on): many different people, so never one "caller". Words such as "anonymous",
#: or a browser's "client:...", do not start with "+" and are refused before.
WITHHELD = frozenset({"+266696687", "+7378742833", "+2562533", "+8656696", "+86282452253"})


class CallerHasher:
    """HMAC-SHA256 of a caller's number in E.164 form, under a secret key kept outside the database.

    Phone numbers are few enough to try them all, so a plain hash would hide nothing: without
    the key, the hashes in the records cannot be turned back into numbers.
    """

    def __init__(self, key: str | bytes) -> None:
        if not key:
            raise ValueError("a caller hash key is required")
        self._key = key.encode() if isinstance(key, str) else key

    def __call__(self, number: str) -> str | None:
        """The caller's hash, or None when the number is withheld or not a phone number."""
        e164 = normalise(number)
        if e164 is None:
            return None
        return hmac.new(self._key, e164.encode(), hashlib.sha256).hexdigest()


def normalise(number: str) -> str | None:
    """``number`` in E.164 form, or None if it is not a real, shown phone number."""
    number = number.strip()
    if not number.startswith("+") or number in WITHHELD:
        return None
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
