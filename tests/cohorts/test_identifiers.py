import pytest
from django.core.exceptions import ValidationError

from cohorts.identifiers import (
    check_character,
    cro_check_character,
    normalise,
    validate_crn,
    validate_cro_number,
    validate_nomis_number,
    validate_pnc_id,
)


def refusal(validator, value):
    with pytest.raises(ValidationError) as refused:
        validator(value)
    return refused.value.messages[0]


def test_the_pnc_check_letter_matches_known_values():
    # 12 followed by 0052494 is 120052494, which leaves 15 over 23: the 16th letter, Q.
    assert check_character("2012", "52494") == "Q"
    assert check_character("2012", "0052494") == "Q"
    # 1999/0000001: 990000001 leaves 7 over 23, which is G.
    assert check_character("1999", "1") == "G"


def test_the_cro_check_letter_pads_the_serial_to_six_digits_not_seven():
    # 08 followed by 123456 is 8123456, which leaves 17 over 23: T. (Padded to seven, it would be M.)
    assert cro_check_character("08", "123456") == "T"
    assert cro_check_character("08", "123456") != check_character("08", "123456")
    # 95 followed by 000001 is 95000001, which leaves 19: V.
    assert cro_check_character("95", "1") == "V"


@pytest.mark.parametrize("value", ["X123456", "A000001", "Z999999"])
def test_a_well_formed_crn_is_accepted(value):
    validate_crn(value)


@pytest.mark.parametrize("value", ["X12345", "X1234567", "1234567", "x123456", "XX23456", ""])
def test_a_malformed_crn_says_what_a_right_one_looks_like(value):
    assert refusal(validate_crn, value) == (
        "Enter a CRN as a capital letter followed by six digits, like X123456"
    )


@pytest.mark.parametrize(("year", "serial"), [("2012", "0052494"), ("1987", "0123456"), ("2024", "9999999")])
def test_a_pnc_id_with_the_right_check_letter_is_accepted(year, serial):
    validate_pnc_id(f"{year}/{serial}{check_character(year, serial)}")


def test_the_example_pnc_id_in_the_hint_is_valid():
    validate_pnc_id("2012/0052494Q")


def test_a_pnc_id_with_the_wrong_check_letter_names_the_right_one():
    expected = check_character("1987", "0123456")
    wrong = next(letter for letter in "ABCDEFG" if letter != expected)
    assert refusal(validate_pnc_id, f"1987/0123456{wrong}") == (
        f"The PNC ID's check letter is wrong: check the number (it should end in {expected})"
    )
    assert refusal(validate_pnc_id, "2012/0052494R").endswith("(it should end in Q)")


@pytest.mark.parametrize(
    "value", ["12/0052494Q", "2012/52494Q", "2012-0052494Q", "2012/0052494", "2012/0052494q"]
)
def test_a_malformed_pnc_id_says_what_a_right_one_looks_like(value):
    assert refusal(validate_pnc_id, value).startswith(
        "Enter a PNC ID as a four-digit year, a slash, seven digits and a letter"
    )


@pytest.mark.parametrize("value", ["A1234BC", "Z0000AA"])
def test_a_well_formed_nomis_number_is_accepted(value):
    validate_nomis_number(value)


@pytest.mark.parametrize("value", ["A1234B", "11234BC", "A12345C", "a1234bc", "A1234BCD"])
def test_a_malformed_nomis_number_is_refused(value):
    assert refusal(validate_nomis_number, value) == (
        "Enter a NOMIS number as a letter, four digits and two letters, like A1234BC"
    )


@pytest.mark.parametrize(("serial", "year"), [("123456", "08"), ("1", "95"), ("4567", "21")])
def test_a_cro_number_with_the_right_check_letter_is_accepted(serial, year):
    validate_cro_number(f"{serial}/{year}{cro_check_character(year, serial)}")


def test_the_example_cro_number_in_the_message_is_valid():
    validate_cro_number("123456/08T")
    assert "like 123456/08T" in refusal(validate_cro_number, "nonsense")


def test_a_cro_number_with_the_wrong_check_letter_names_the_right_one():
    assert refusal(validate_cro_number, "123456/08M") == (
        "The CRO number's check letter is wrong: check the number (it should end in T)"
    )


@pytest.mark.parametrize("value", ["1234567/08T", "123456/8T", "123456/08", "/08T", "SF08/123456T"])
def test_a_malformed_cro_number_is_refused(value):
    assert refusal(validate_cro_number, value).startswith("Enter a CRO number as up to six digits")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  x123456 ", "X123456"),
        ("2012 / 0052494q", "2012/0052494Q"),
        ("a1234 bc", "A1234BC"),
        ("123456/08t", "123456/08T"),
        ("", ""),
    ],
)
def test_normalise_removes_spaces_and_capitalises(raw, clean):
    assert normalise(raw) == clean
