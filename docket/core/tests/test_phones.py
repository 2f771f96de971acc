"""core.phones: which numbers are complete, and the digits they are stored and searched by."""

from __future__ import annotations

import pytest

from docket.core import phones


@pytest.mark.parametrize(
    "typed,stored",
    [
        ("13900001111", "13900001111"),
        ("139 0000 1111", "13900001111"),
        ("+86 139-0000-1111", "13900001111"),
        ("86 13900001111", "13900001111"),
        ("0086-139-0000-1111", "13900001111"),  # the international call prefix written out
        ("１３９００００１１１１", "13900001111"),  # full-width digits from a Chinese input method
        ("010-12345678", "01012345678"),  # Beijing: 2-digit code, 8-digit number
        ("021 6123 4567", "02161234567"),
        ("0917-1234567", "09171234567"),  # 3-digit code, 7-digit number
        ("(0755)88888888", "075588888888"),  # 3-digit code, 8-digit number
        ("０２９－８８８８６６６６", "02988886666"),
        ("+86 755 8888 8888", "075588888888"),  # written internationally: the trunk 0 dropped
        ("+86 10 1234 5678", "01012345678"),
        ("+86 (0)755 88888888", "075588888888"),
    ],
)
def test_complete_numbers_are_their_domestic_digits(typed, stored):
    assert phones.normalize(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "1390000",  # a prefix
        "12900001111",  # no mobile starts 12
        "139000011112",  # a digit too many
        "88886666",  # a landline without its area code
        "0101234567",  # Beijing numbers have 8 digits
        "010123456789",
        "07551234567890",
        "0755-123456",  # 3-digit codes take 7 or 8
        "+86 139 0000 111",
        "+1 415 555 0100",
        "95533",  # service numbers are not a person's phone
        "400-800-1234",
        "电话",
        "¹³⁹",  # superscripts are digits, not decimal digits
    ],
)
def test_anything_else_is_not_a_number(typed):
    assert phones.normalize(typed) is None


def test_digits_are_ascii_whatever_was_typed():
    assert phones.digits("１３９-0000 ١١١١") == "13900001111"
    assert phones.mask("１３９００００１１１１") == "139****1111"
