"""Twilio's 2016 TwiML schema, loosened only for what Twilio has added since (see shared/twiml/README.md)."""

from __future__ import annotations

import functools
import hashlib
import xml.etree.ElementTree as ET
from pathlib import Path

import xmlschema

XS = "{http://www.w3.org/2001/XMLSchema}"
SCHEMA_FILE = Path(__file__).resolve().parents[2] / "shared" / "twiml" / "TwiML-2016.xsd"
NEW_GATHER_ATTRIBUTES = (
    "input", "speechTimeout", "speechModel", "hints", "language", "actionOnEmptyResult",
    "partialResultCallback", "partialResultCallbackMethod", "enhanced", "profanityFilter",
)


def _loosened(root: ET.Element) -> ET.Element:
    for complex_type in list(root.iter(f"{XS}complexType")):
        if complex_type.get("name") == "GatherType":
            for name in NEW_GATHER_ATTRIBUTES:
                ET.SubElement(complex_type, f"{XS}attribute", name=name, type="xs:string")
        if complex_type.get("name") == "SayType":
            _allow_prosody(root, complex_type)
    for simple_type in root.iter(f"{XS}simpleType"):
        if simple_type.get("name") in ("VoiceType", "LanguageType"):
            restriction = simple_type.find(f"{XS}restriction")
            assert restriction is not None
            for enumeration in restriction.findall(f"{XS}enumeration"):
                restriction.remove(enumeration)
            if simple_type.get("name") == "VoiceType":
                pattern = r"man|woman|alice|Polly\.[A-Za-z-]+|Google\.[A-Za-z0-9.-]+"
            else:
                pattern = r"[a-z]{2,3}(-[A-Za-z]{2,4})?"
            ET.SubElement(restriction, f"{XS}pattern", value=pattern)
    return root


def _allow_prosody(root: ET.Element, say: ET.Element) -> None:
    """SSML's <prosody> in a <Say>, which Twilio takes for its Polly and Google voices (since 2018)."""
    sequence = ET.Element(f"{XS}sequence", minOccurs="0", maxOccurs="unbounded")
    ET.SubElement(sequence, f"{XS}element", name="prosody", type="ProsodyType")
    say.insert(0, sequence)
    prosody = ET.SubElement(root, f"{XS}complexType", name="ProsodyType", mixed="true")
    for name in ("rate", "volume", "pitch"):
        ET.SubElement(prosody, f"{XS}attribute", name=name, type="xs:string")


@functools.cache
def twiml_schema() -> xmlschema.XMLSchema:
    root = _loosened(ET.parse(SCHEMA_FILE).getroot())
    return xmlschema.XMLSchema(ET.tostring(root, encoding="unicode"))


#: Digests of the documents already found valid in this process: most answers repeat, call after call and
#: test after test, and the schema takes milliseconds for each.
_VALID: set[bytes] = set()


def check_against_schema(document: str) -> None:
    """Raise xmlschema's error unless ``document`` is valid TwiML (each distinct document is checked once)."""
    digest = hashlib.blake2b(document.encode(), digest_size=16).digest()
    if digest not in _VALID:
        twiml_schema().validate(document)
        _VALID.add(digest)
