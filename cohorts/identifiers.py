"""The identifiers a nominal is known by in other systems, and how to tell a well-formed one.

Each validator raises a ValidationError whose message says what a right one looks like.
"""

import re

from django.core.exceptions import ValidationError

# The check character of PNC IDs and CRO numbers: (two-digit year + serial) modulo 23, into this
# alphabet (no I, O or S, which are easily misread). The PNC pads its serial to seven digits,
# the CRO to six, so the same digits give different letters in the two systems.
CHECK_CHARACTERS = "ZABCDEFGHJKLMNPQRTUVWXY"

_CRN = re.compile(r"^[A-Z][0-9]{6}$")
_PNC = re.compile(r"^(?P<year>[0-9]{4})/(?P<serial>[0-9]{7})(?P<check>[A-Z])$")
_NOMIS = re.compile(r"^[A-Z][0-9]{4}[A-Z]{2}$")
_CRO = re.compile(r"^(?P<serial>[0-9]{1,6})/(?P<year>[0-9]{2})(?P<check>[A-Z])$")


def check_character(year: str, serial: str, *, serial_digits: int = 7) -> str:
    """The PNC ID's check letter; pass serial_digits=6 for a CRO number (see cro_check_character)."""
    return CHECK_CHARACTERS[int(f"{year[-2:]}{int(serial):0{serial_digits}d}") % 23]


def cro_check_character(year: str, serial: str) -> str:
    return check_character(year, serial, serial_digits=6)


def normalise(value: str) -> str:
    return value.strip().upper().replace(" ", "")


def validate_crn(value: str) -> None:
    if not _CRN.match(value):
        raise ValidationError("Enter a CRN as a capital letter followed by six digits, like X123456")


def validate_pnc_id(value: str) -> None:
    match = _PNC.match(value)
    if not match:
        raise ValidationError(
            "Enter a PNC ID as a four-digit year, a slash, seven digits and a letter, like 2012/0052494Q"
        )
    expected = check_character(match["year"], match["serial"])
    if match["check"] != expected:
        raise ValidationError(
            f"The PNC ID's check letter is wrong: check the number (it should end in {expected})"
        )


def validate_nomis_number(value: str) -> None:
    if not _NOMIS.match(value):
        raise ValidationError("Enter a NOMIS number as a letter, four digits and two letters, like A1234BC")


def validate_cro_number(value: str) -> None:
    match = _CRO.match(value)
    if not match:
        raise ValidationError(
            "Enter a CRO number as up to six digits, a slash, a two-digit year and a letter, like 123456/08T"
        )
    expected = cro_check_character(match["year"], match["serial"])
    if match["check"] != expected:
        raise ValidationError(
            f"The CRO number's check letter is wrong: check the number (it should end in {expected})"
        )
