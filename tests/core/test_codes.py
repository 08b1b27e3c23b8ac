"""Crockford base32 codes: every number reads back, and what people mistype still reads."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hamkke.core import codes


@given(st.integers(min_value=0, max_value=32**13 - 1))
def test_every_number_reads_back(value):
    code = codes.encode(value, digits=13)
    assert len(code) == 13 and set(code) <= set(codes.ALPHABET)
    assert codes.decode(code, digits=13) == value
    assert codes.decode(code.lower(), digits=13) == value


def test_mistaken_letters_spaces_and_dashes_are_forgiven():
    code = codes.encode(32**5 + 1, digits=8)  # "00100001"
    mistyped = code.replace("0", "o").replace("1", "l")
    assert codes.decode(f" {mistyped[:4]}-{mistyped[4:]} ", digits=8) == 32**5 + 1


@pytest.mark.parametrize("text", ["", "UUUU", "12345", "1234567!"])
def test_what_cannot_be_a_code_reads_as_none(text):
    assert codes.decode(text, digits=4) is None


def test_a_number_that_does_not_fit_is_refused():
    with pytest.raises(ValueError):
        codes.encode(32**4, digits=4)
    with pytest.raises(ValueError):
        codes.encode(-1, digits=4)


def test_random_codes_use_the_alphabet_and_differ():
    drawn = {codes.random_code(8) for _ in range(50)}
    assert len(drawn) == 50
    assert all(len(code) == 8 and set(code) <= set(codes.ALPHABET) for code in drawn)
