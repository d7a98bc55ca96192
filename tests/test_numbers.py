"""The Indonesian number parser: digit formats, number words, scales, fractions, ranges, qualifiers."""

from __future__ import annotations

import math

import pytest

from pipeline.nlp.numbers import find_quantities, parse_digits, parse_number, parse_number_words, parse_quantity

DIGITS = [
    ("1.800", 1800), ("2,5", 2.5), ("1.250.000", 1_250_000), ("2.5", 2.5), ("0,85863", 0.85863),
    ("3.761,412", 3761.412), ("1,234.56", 1234.56), ("157.392.500", 157_392_500), ("30000", 30000),
    ("41.60", 41.6), ("1.8415", 1.8415), ("0.500", 0.5), ("10", 10), ("1/3", 1 / 3), ("3/4", 0.75),
    ("1,234,567", 1_234_567),
]


@pytest.mark.parametrize(("written", "value"), DIGITS)
def test_parse_digits(written, value):
    assert math.isclose(parse_digits(written), value)


@pytest.mark.parametrize("written", ["1.2.3", "12.34.567", "22/3", "3/5/2011", "1/0", "", "1.", ".5", "1,2,3"])
def test_parse_digits_rejects_codes_and_dates(written):
    assert parse_digits(written) is None


WORDS = [
    ("satu", 1), ("sembilan", 9), ("sepuluh", 10), ("sebelas", 11), ("dua belas", 12), ("tujuh belas", 17),
    ("dua puluh", 20), ("dua puluh lima", 25), ("seratus", 100), ("seratus dua puluh", 120),
    ("tiga ratus empat puluh lima", 345), ("seribu", 1000), ("dua ribu", 2000), ("sejuta", 1e6),
    ("tiga juta", 3e6), ("dua puluh lima ribu", 25_000), ("dua ratus ribu", 200_000),
    ("satu juta dua ratus ribu", 1_200_000), ("lima miliar", 5e9), ("dua triliun", 2e12), ("setengah", 0.5),
    ("sepertiga", 1 / 3), ("seperempat", 0.25), ("dua pertiga", 2 / 3), ("tiga perempat", 0.75),
    ("satu setengah", 1.5), ("satu setengah juta", 1.5e6), ("Tiga Puluh", 30), ("nol", 0),
]


@pytest.mark.parametrize(("written", "value"), WORDS)
def test_parse_number_words(written, value):
    assert math.isclose(parse_number_words(written), value)


@pytest.mark.parametrize("written", ["dua tiga", "belas", "puluh dua", "juta ribu", "seribu juta juta", "lima kucing", ""])
def test_parse_number_words_rejects_non_numbers(written):
    assert parse_number_words(written) is None


NUMBERS = [
    ("2,5 juta", 2.5e6), ("1,1 juta", 1.1e6), ("750rb", 750_000), ("750 ribu", 750_000), ("2 jt", 2e6),
    ("Rp 2,5 triliun", 2.5e12), ("Rp750 ribu", 750_000), ("Rp 2 M", 2e9), ("Rp5T", 5e12), ("Rp.5 miliar", 5e9),
    ("Rp9.100", 9100), ("US$ 2,5 juta", 2.5e6), ("$ 3.18 miliar", 3.18e9), ("3 milyar", 3e9),
    ("tiga juta", 3e6), ("1/3", 1 / 3), ("setengah", 0.5), ("2,3 juta", 2.3e6),
]


@pytest.mark.parametrize(("written", "value"), NUMBERS)
def test_parse_number_with_scale_and_currency(written, value):
    assert math.isclose(parse_number(written), value)


def test_scale_abbreviations_need_a_currency_sign():
    # "5 M" may be five metres; only "Rp 5 M" is five billion.
    assert parse_number("5 M") == 5
    assert parse_quantity("Rp 5 M").currency == "IDR"


RANGES = [
    ("4-6 ribu", 4000, 6000), ("4 - 6 ribu", 4000, 6000), ("Rp 4 - 6 ribu", 4000, 6000), ("2 - 21", 2, 21),
    ("10 hingga 15", 10, 15), ("10 sampai 15", 10, 15), ("10 s.d. 15", 10, 15), ("10 s/d 15", 10, 15),
    ("antara 10 dan 20", 10, 20), ("empat hingga lima", 4, 5), ("10%-15%", 10, 15), ("Rp40 - 50 juta", 40e6, 50e6),
    ("1 juta - 2 juta", 1e6, 2e6), ("2019-2024", 2019, 2024),
]


@pytest.mark.parametrize(("written", "low", "high"), RANGES)
def test_ranges(written, low, high):
    quantity = parse_quantity(written)
    assert math.isclose(quantity.value, low) and math.isclose(quantity.value_max, high)


def test_range_bound_must_grow():
    # A score or a code ("2-1") is not a range and not a number.
    assert find_quantities("menang 2-1") == []


def test_range_does_not_run_into_a_year():
    first, second = find_quantities("naik 5 persen hingga 2025")
    assert first.value == 5 and first.value_max is None
    assert second.value == 2025 and second.qualifier == "hingga"


QUALIFIED = [
    ("lebih dari 49 persen", "lebih dari", 49), ("kurang dari 5", "kurang dari", 5), ("sekitar Rp 2.000", "sekitar", 2000),
    ("hampir 100", "hampir", 100), ("setidaknya 3", "setidaknya", 3), ("sedikitnya 570", "sedikitnya", 570),
    ("mencapai 1,1 juta", "mencapai", 1.1e6), ("kurang lebih satu bulan", "kurang lebih", 1),
    ("tak kurang dari 20", "tak kurang dari", 20), ("paling sedikit 7", "paling sedikit", 7),
    ("Lebih  dari 10", "lebih dari", 10),
]


@pytest.mark.parametrize(("written", "qualifier", "value"), QUALIFIED)
def test_qualifiers(written, qualifier, value):
    quantity = parse_quantity(written)
    assert quantity.qualifier == qualifier and math.isclose(quantity.value, value)


VAGUE = [("ratusan orang", 100, "ratusan"), ("ribuan warga", 1000, "ribuan"), ("puluhan ribu", 10_000, "puluhan ribu"),
         ("jutaan pengguna", 1e6, "jutaan"), ("belasan", 10, "belasan")]


@pytest.mark.parametrize(("written", "value", "qualifier"), VAGUE)
def test_vague_amounts_keep_the_word_as_qualifier(written, value, qualifier):
    quantity = parse_quantity(written)
    assert quantity.value == value and quantity.qualifier == qualifier


@pytest.mark.parametrize("written", [
    "G20", "4G", "5G", "K-3", "COVID-19", "0812-3456-7890", "+62 812 3456", "(021) 555 1234", "14:30", "1.2.3",
    "Rp", "Mohajer-4", "@user49", "tempat", "kedua", "bersatu",
])
def test_no_number_in_codes_and_glued_letters(written):
    assert find_quantities(written) == []


def test_offsets_point_into_the_text():
    text = "Sebanyak 1.800 responden, atau sekitar Rp 2,5 triliun dan tiga juta orang."
    raws = [text[quantity.start:quantity.end] for quantity in find_quantities(text)]
    assert raws == ["1.800", "Rp 2,5 triliun", "tiga juta"]


def test_word_starts_from_a_tokenizer_give_the_same_result():
    text = "Tiga puluh tawon membunuh 30000 lebah dalam tiga jam."
    starts = [0, 44]
    assert find_quantities(text, word_starts=starts) == find_quantities(text)
