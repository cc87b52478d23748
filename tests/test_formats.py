"""Tests for zonekit.fields.cellvalues: check digits, phone/e-mail checks, number/date/bool parsing."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from decimal import Decimal
from typing import NamedTuple

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from zonekit.fields.cellvalues import (
    CHECKERS,
    check_email,
    check_phone,
    check_uscc,
    code_of,
    make_uscc,
    normalize_text,
    org_check_digit,
    parse_bool,
    parse_date,
    parse_number,
    said,
    uscc_canonical,
    uscc_check_digit,
    uscc_ok,
    usccs_ok,
)
from zonekit.findings import Problem

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
ILLEGAL = "IOSVZ"

# Published codes, each verified against both check digits before being listed here.
REAL_USCCS = [
    "91440300708461136T",  # 中国平安保险（集团）股份有限公司
    "9144030071526726XG",  # 招商银行股份有限公司 (organisation code check digit "X")
    "91440300192185379H",  # 万科企业股份有限公司
    "914403001922038216",  # 华为技术有限公司
    "91110108551385082Q",  # 北京小米科技有限责任公司
]

code8 = st.text(alphabet=ALPHABET, min_size=8, max_size=8)
# positions 1-8 of a code: department and category from the alphabet, then the six-digit region code
head8 = st.builds(str.__add__, st.text(alphabet=ALPHABET, min_size=2, max_size=2),
                  st.text(alphabet="0123456789", min_size=6, max_size=6))
# what a person types around a valid code: lower case, spaces (U+3000 too), full-width characters
FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


class Said(NamedTuple):
    """A value's problem as the tests read it: its reason and both sentences."""

    reason: str
    zh: str
    en: str


def assert_problem(problem: Problem | None, reason: str) -> Said:
    assert isinstance(problem, Problem), f"expected a {reason} problem, got None"
    got = Said(*said(problem))
    assert got.reason == reason, problem
    assert problem.code == code_of(reason) and problem.texts() == (got.zh, got.en)
    assert got.zh and got.en
    assert "\n" not in got.zh and "\n" not in got.en
    return got


# ---------------------------------------------------------------------------------------------
# Check digits and 统一社会信用代码
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", REAL_USCCS)
def test_real_codes_pass(code):
    assert check_uscc(code) is None
    assert make_uscc(code[:8], code[8:16]) == code


def test_check_digit_vectors():
    assert uscc_check_digit("91440300708461136") == "T"
    assert uscc_check_digit("9144030071526726X") == "G"
    assert uscc_check_digit("91440300000000457") == "0"  # 31 - 0 = 31 is written "0"
    assert org_check_digit("D2143569") == "X"  # the example of GB 11714-1997
    assert org_check_digit("70846113") == "6"
    assert org_check_digit("00000000") == "0"  # 11 is written "0"
    assert org_check_digit("00000006") == "X"  # 10 is written "X"


@pytest.mark.parametrize(
    "bad", ["", "9144030070846113", "914403007084611367", "9144030070846113I", "91440300708461136t"]
)
def test_uscc_check_digit_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        uscc_check_digit(bad)


@pytest.mark.parametrize("bad", ["", "7084611", "708461134", "7084611-", "d2143569"])
def test_org_check_digit_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        org_check_digit(bad)


@given(head8, code8)
def test_made_codes_pass(head, body):
    code = make_uscc(head, body)
    assert len(code) == 18 and code.startswith(head + body)
    assert check_uscc(code) is None
    for spelt in (code.lower(), " ".join([code[:6], code[6:12], code[12:]]), code.translate(FULL_WIDTH),
                  f"\u3000{code[:9]}\u3000{code[9:]}"):
        assert uscc_canonical(spelt) == code
        if spelt == code:  # lower() of a code without letters
            continue
        problem = assert_problem(check_uscc(spelt), "uscc_form")
        assert problem.zh.endswith(f"应为大写半角、不含空格：{code}") and problem.en.endswith(code)


@given(head8, code8, st.integers(0, 17), st.integers(1, len(ALPHABET) - 1))
def test_any_single_substitution_fails(head, body, pos, shift):
    code = make_uscc(head, body)
    new = ALPHABET[(ALPHABET.index(code[pos]) + shift) % len(ALPHABET)]
    changed = code[:pos] + new + code[pos + 1 :]
    assert changed != code
    problem = check_uscc(changed)
    assert problem is not None
    reason = said(problem)[0]
    if 2 <= pos <= 7 and not new.isdigit():
        assert reason == "uscc_region"
    else:
        assert reason in ("org_check_digit", "uscc_check_digit")


@given(head8, code8, st.integers(0, 17), st.sampled_from(ILLEGAL + "-*中#"))
def test_illegal_character_fails(head, body, pos, ch):
    code = make_uscc(head, body)
    problem = assert_problem(check_uscc(code[:pos] + ch + code[pos + 1 :]), "uscc_alphabet")
    assert f"第{pos + 1}位" in problem.zh
    assert f"“{ch}”" in problem.zh


@given(head8, code8, st.integers(0, 40).filter(lambda n: n != 18))
def test_wrong_length_fails(head, body, length):
    code = (make_uscc(head, body) * 3)[:length]
    if length == 0:
        assert check_uscc(code) is None  # blank: "required" is checked elsewhere
    else:
        problem = assert_problem(check_uscc(code), "uscc_length")
        assert f"{length}位" in problem.zh


def test_wrong_final_check_digit_names_the_expected_character():
    problem = assert_problem(check_uscc("91440300708461133"), "uscc_length")
    problem = assert_problem(check_uscc("914403007084611363"), "uscc_check_digit")
    assert "应为“T”" in problem.zh and "实际为“3”" in problem.zh
    assert "'T'" in problem.en
    problem = assert_problem(check_uscc("9144030071526726XA"), "uscc_check_digit")
    assert "“G”" in problem.zh


def test_wrong_organisation_check_digit():
    problem = assert_problem(check_uscc("914403007084611376"), "org_check_digit")
    assert "第17位" in problem.zh and "“6”" in problem.zh


def test_lookalike_letter_hint():
    problem = assert_problem(check_uscc("914403OO708461136T"), "uscc_alphabet")
    assert "第7位" in problem.zh and "数字“0”" in problem.zh


def test_uscc_stored_as_number():
    assert_problem(check_uscc(9.14403007084611e17), "uscc_number")
    assert_problem(check_uscc(914403001922038216), "uscc_number")
    assert_problem(check_uscc(12345.0), "uscc_length")
    assert_problem(check_uscc("9.14403E+17"), "uscc_number")
    assert_problem(check_uscc("9E+17"), "uscc_number")
    # text that only looks like a number in E notation is a code (or a short one), found by hypothesis
    assert check_uscc(make_uscc("0E000001", "00000000")) is None
    assert_problem(check_uscc("0E0"), "uscc_length")


def test_uscc_full_width_and_blank():
    problem = assert_problem(check_uscc("９１４４０３００７０８４６１１３６Ｔ"), "uscc_form")
    assert "全角字符" in problem.zh and problem.zh.endswith("：91440300708461136T")
    assert check_uscc("  ") is None
    assert check_uscc("\u3000") is None
    assert check_uscc(None) is None


@pytest.mark.parametrize("pos", range(3, 9))
@pytest.mark.parametrize("letter", ["A", "M", "X", "Y"])
def test_letter_in_region_code_is_an_error(pos, letter):
    # positions 3-8 are the GB/T 2260 administrative division code: digits only, check digits or not
    first17 = ("91440300" + "MA5G001Q" + "X")
    first17 = first17[: pos - 1] + letter + first17[pos:]
    code = first17 + uscc_check_digit(first17)  # both check characters right: only the region code is wrong
    problem = assert_problem(check_uscc(code), "uscc_region")
    assert f"第3—8位为行政区划码，只能是数字，第{pos}位为“{letter}”" in problem.zh
    assert f"character {pos} is '{letter}'" in problem.en
    assert not uscc_ok(code) and not usccs_ok([code])
    assert_problem(check_uscc(code.lower()), "uscc_region")  # not merely a spelling matter
    with pytest.raises(ValueError):
        make_uscc(code[:8], "MA5G001Q")


def test_region_code_error_names_the_first_letter():
    problem = assert_problem(check_uscc("91AB0300MA5G001QX2"), "uscc_region")
    assert "第3位为“A”" in problem.zh


@pytest.mark.parametrize(("spelt", "what"), [
    ("91440300ma5g001qx2", "含小写字母"),
    ("91440300MA5G 001QX2", "含空格"),
    ("91440300MA5G001QX2\u3000", "含空格"),
    ("９１４４０３００ＭＡ５Ｇ００１ＱＸ２", "含全角字符"),
    ("９１４４０３００ｍａ５ｇ００１ｑｘ２", "含小写字母、全角字符"),
    ("9144 0300 ma5g 001q x2", "含小写字母、空格"),
])
def test_valid_code_written_otherwise_names_the_canonical_form(spelt, what):
    problem = assert_problem(check_uscc(spelt), "uscc_form")
    assert what in problem.zh
    assert "应为大写半角、不含空格：91440300MA5G001QX2" in problem.zh
    assert "91440300MA5G001QX2" in problem.en
    assert uscc_canonical(spelt) == "91440300MA5G001QX2"
    assert not uscc_ok(spelt) and not usccs_ok([spelt])


def test_only_spelling_is_forgiven():
    # NFKC would read these as digits and letters; no licence prints them, so they are not a code
    for odd in ("①1440300MA5G001QX2", "9¹440300MA5G001QX2", "91440300MA5G001QX𝟐"):
        assert_problem(check_uscc(odd), "uscc_alphabet")
    assert_problem(check_uscc("91440300-MA5G001QX2"), "uscc_length")  # a code has no separators
    assert_problem(check_uscc("91440300ma5g001qx3"), "uscc_check_digit")  # spelt otherwise and wrong: an error


# ---------------------------------------------------------------------------------------------
# Phone numbers
# ---------------------------------------------------------------------------------------------

VALID_PHONES = [
    "13812345678",
    "19912345678",
    "138 1234 5678",
    "138-1234-5678",
    "+86 138 1234 5678",
    "+8613812345678",
    "8613812345678",
    "0086 13812345678",
    "(+86)13812345678",
    "１３８１２３４５６７８",
    "0755-83451234",
    "075583451234",
    "0755 8345 1234",
    "0755-8345 1234",
    "0755—83451234",
    "0755－83451234",
    "０７５５－８３４５１２３４",
    "(0755)83451234",
    "（0755）8345-1234",
    "(0755) 8345 1234",
    "010-65529988",
    "01065529988",
    "0571-8765432",
    "0755-83451234转123",
    "0755-83451234 转 8",
    "0755-83451234-123",
    "0755-83451234 ext 123",
    "0755-83451234 EXT.123",
    "+86 755 8345 1234",
    "400-800-1234",
    "4008001234",
    "400 800 1234",
    "800-820-8820",
    "４００８００１２３４",
    "400-800-1234转2",
    13812345678,
    13812345678.0,
]

INVALID_PHONES = [
    ("138123456789", "11位"),  # 12 digits
    ("1381234567", "11位"),  # 10 digits
    ("12812345678", "13–19"),
    ("83451234", "缺少区号"),
    ("8345123", "缺少区号"),
    ("8345-1234", "缺少区号"),
    ("８３４５１２３４", "缺少区号"),
    ("0755-8345abcd", "字母"),
    ("tel13812345678", "字母"),
    ("无", "字母"),
    ("0755-83451234/13812345678", "多个号码"),
    ("13812345678、13912345678", "多个号码"),
    ("13812345678转123", "分机"),
    ("13812345678-123", "分机"),
    ("0755-834512", "位数"),
    ("0755-834512345", "位数"),
    ("010-6552998", "位数"),  # Beijing numbers have 8 digits
    ("40080012345", "10位"),
    ("+852 2345 6789", "大陆"),
    (75583451234, "Excel"),  # landline typed into a number cell: the leading 0 is gone
    ("1065529988", "“0”"),
]


@pytest.mark.parametrize("phone", VALID_PHONES)
def test_valid_phones(phone):
    assert check_phone(phone) is None


@pytest.mark.parametrize(("phone", "hint"), INVALID_PHONES)
def test_invalid_phones(phone, hint):
    problem = assert_problem(check_phone(phone), "phone_format")
    assert hint in problem.zh
    assert str(phone) in problem.zh


def test_missing_area_code_message():
    problem = check_phone("8345123")
    assert problem is not None and said(problem) == (
        "phone_format",
        "联系电话“8345123”缺少区号，请按“0755-83451234”格式填写",
        "Phone '8345123' lacks the area code; write it like '0755-83451234'",
    )


def test_blank_phone_passes():
    assert check_phone("") is None
    assert check_phone(None) is None


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_any_mobile_passes(number):
    assert check_phone(number) is None
    assert check_phone(f"+86 {number[:3]} {number[3:7]} {number[7:]}") is None


@given(
    st.one_of(
        st.tuples(
            st.from_regex(r"0(10|2[0-9])", fullmatch=True), st.from_regex(r"[2-8][0-9]{7}", fullmatch=True)
        ),
        st.tuples(
            st.from_regex(r"0[3-9][0-9]{2}", fullmatch=True),
            st.from_regex(r"[2-8][0-9]{6,7}", fullmatch=True),
        ),
    ),
    st.sampled_from(["-", " ", "—", "－", ""]),
)
def test_any_landline_passes_and_needs_its_area_code(parts, sep):
    area, number = parts
    assert check_phone(area + sep + number) is None
    assert check_phone(f"({area}){number}") is None
    assert "区号" in assert_problem(check_phone(number), "phone_format").zh


# ---------------------------------------------------------------------------------------------
# E-mail
# ---------------------------------------------------------------------------------------------

VALID_EMAILS = [
    "zhangsan@example.com",
    "zhang.san@example.com.cn",
    "zhang_san+tag@mail.example.gov.cn",
    "12345678@qq.com",
    "a-b@sub-domain.example.org",
    "  lisi@163.com  ",
    "Li.Si@Example.COM",
]

INVALID_EMAILS = [
    ("zhangsan＠example.com", "zhangsan@example.com"),
    ("zhangsan@example。com", "zhangsan@example.com"),
    ("ｚｈａｎｇ@example.com", "zhang@example.com"),
    ("zhang san@example.com", "空格"),
    ("a@b.com b@c.com", "空格"),
    ("zhangsan.example.com", "缺少“@”"),
    ("a@b@example.com", "多个“@”"),
    ("zhangsan@example", "域名"),
    ("zhangsan@", "域名"),
    ("zhangsan@.com", "域名"),
    ("zhangsan@-x.com", "域名"),
    ("zhangsan@example.c", "域名"),
    ("@example.com", "用户名"),
    (".zhang@example.com", "用户名"),
    ("zhang..san@example.com", "用户名"),
    ("张三@example.com", "中文"),
]


@pytest.mark.parametrize("email", VALID_EMAILS)
def test_valid_emails(email):
    assert check_email(email) is None


@pytest.mark.parametrize(("email", "hint"), INVALID_EMAILS)
def test_invalid_emails(email, hint):
    problem = assert_problem(check_email(email), "email_format")
    assert hint in problem.zh


def test_blank_email_passes():
    assert check_email("") is None
    assert check_email(None) is None


# ---------------------------------------------------------------------------------------------
# normalize_text
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  深圳市（南山区）  ", "深圳市(南山区)"),
        ("ＡＢＣ１２３", "ABC123"),
        ("中国\u3000平安", "中国 平安"),
        ("第一行\n\n第二行\t结束", "第一行 第二行 结束"),
        ("a\u200bb\ufeff", "ab"),
        ("有限公司，", "有限公司,"),
        (None, ""),
        (123, "123"),
        ("中文保持不变", "中文保持不变"),
    ],
)
def test_normalize_text(raw, clean):
    assert normalize_text(raw) == clean


@given(st.text())
def test_normalize_text_is_idempotent_and_tidy(text):
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert once == once.strip()
    assert "  " not in once and "\n" not in once and "\u3000" not in once


# ---------------------------------------------------------------------------------------------
# parse_number
# ---------------------------------------------------------------------------------------------

GOOD_NUMBERS = [
    (None, None, None),
    ("", None, None),
    ("   ", None, None),
    (12, None, 12),
    (12.5, None, 12.5),
    (Decimal("3.5"), None, 3.5),
    ("12", None, 12),
    (" 12 ", None, 12),
    ("12.5", None, 12.5),
    ("1,234.5", None, 1234.5),
    ("1，234", None, 1234),
    ("12,345,678", None, 12345678),
    ("１２３４．５", None, 1234.5),
    ("-5", None, -5),
    ("－5", None, -5),
    ("−5", None, -5),
    ("+5", None, 5),
    (".5", None, 0.5),
    ("1.5万", None, 15000),
    ("100", "m2", 100),
    ("100㎡", "m2", 100),
    ("100 m2", "m2", 100),
    ("100m²", "m2", 100),
    ("100M2", "m2", 100),
    ("100平方米", "m2", 100),
    ("100平米", "㎡", 100),
    ("1.5万平方米", "m2", 15000),
    ("2公顷", "m2", 20000),
    ("3平方公里", "m2", 3000000),
    ("3km2", "km2", 3),
    ("3km²", "平方公里", 3),
    ("100万元", "万元", 100),
    ("100万", "万元", 100),
    ("1亿元", "万元", 10000),
    ("1.5亿", "万元", 15000),
    ("5000元", "万元", 0.5),
    ("5,000元", "万元", 0.5),
    ("¥5,000", "万元", 0.5),
    ("3万元", "亿元", 0.0003),
    ("2千元", "元", 2000),
    ("100万元", "元", 1000000),
    ("12家", "家", 12),
    ("30人", "人", 30),
    ("1.2万人", "人", 12000),
    ("5个", "个", 5),
    ("3项", "项", 3),
    ("8次", "次", 8),
    ("12.5%", "%", 12.5),
    ("12.5％", "%", 12.5),
    ("5万吨", "万吨", 5),
    ("5000吨", "万吨", 0.5),
]


@pytest.mark.parametrize(("raw", "unit", "expected"), GOOD_NUMBERS)
def test_parse_number_ok(raw, unit, expected):
    value, problem = parse_number(raw, unit)
    assert problem is None
    assert value == pytest.approx(expected) if expected is not None else value is None


def test_parse_number_types():
    assert parse_number("12")[0].__class__ is int
    assert parse_number("12.0")[0].__class__ is float
    assert parse_number("1亿元", "万元")[0].__class__ is int


BAD_NUMBERS = [
    ("100家", "m2", "number_unit"),
    ("5亩", "m2", "number_unit"),
    ("100元", "人", "number_unit"),
    ("100平方米", None, "number_unit"),
    ("12%", None, "number_unit"),
    ("100kg", "万元", "number_unit"),
    ("约100", None, "number_ambiguous"),
    ("大约100万元", "万元", "number_ambiguous"),
    ("100左右", None, "number_ambiguous"),
    ("100多", None, "number_ambiguous"),
    ("100余家", "家", "number_ambiguous"),
    ("100以上", None, "number_ambiguous"),
    ("超过100", None, "number_ambiguous"),
    (">100", None, "number_ambiguous"),
    ("100+", None, "number_ambiguous"),
    ("100-200", None, "number_ambiguous"),
    ("100~200", None, "number_ambiguous"),
    ("100至200", None, "number_ambiguous"),
    ("100 200", None, "number_ambiguous"),
    ("100万元（其中自筹50万元）", "万元", "number_ambiguous"),
    ("1.234.5", None, "number_ambiguous"),
    ("1,23", None, "number_ambiguous"),
    ("12,34.5", None, "number_ambiguous"),
    ("1,2345", None, "number_ambiguous"),
    ("1.234,5", None, "number_ambiguous"),
    ("暂无", None, "number_text"),
    ("无", None, "number_text"),
    ("-", None, "number_text"),
    ("/", None, "number_text"),
    ("N/A", None, "number_text"),
    ("见附件", None, "number_text"),
    ("第3项", None, "number_text"),
    (True, None, "number_text"),
    (float("nan"), None, "number_text"),
    (float("inf"), None, "number_text"),
    (dt.date(2023, 6, 30), None, "number_text"),
]


@pytest.mark.parametrize(("raw", "unit", "reason"), BAD_NUMBERS)
def test_parse_number_problems(raw, unit, reason):
    value, problem = parse_number(raw, unit)
    assert value is None
    assert_problem(problem, reason)


def test_number_unit_message_names_the_field_unit():
    _, problem = parse_number("100家", "m2")
    assert problem is not None and "“100家”" in problem.texts()[0] and "平方米" in problem.texts()[0]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(12, 12), (12.0, 12), ("12", 12), ("12.0", 12), ("１２", 12), ("0.5亿元", 5000), (0.1 + 0.2 + 11.7, 12)],
)
def test_parse_number_integer_ok(raw, expected):
    value, problem = parse_number(raw, "万元", integer=True)
    assert problem is None
    assert value == expected and type(value) is int


@pytest.mark.parametrize("raw", [12.5, "12.5", "5000元"])
def test_parse_number_integer_rejects_fractions(raw):
    value, problem = parse_number(raw, "万元", integer=True)
    assert value is None
    assert_problem(problem, "number_integer")


@given(st.integers(-(10**12), 10**12))
def test_parse_number_round_trips_grouped_integers(n):
    assert parse_number(f"{n:,}") == (n, None)
    assert parse_number(str(n)) == (n, None)


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False))
def test_parse_number_round_trips_decimals(d):
    value, problem = parse_number(f"{d:,.2f}")
    assert problem is None
    assert value == pytest.approx(float(d))


# ---------------------------------------------------------------------------------------------
# parse_date
# ---------------------------------------------------------------------------------------------

D = dt.date(2023, 6, 30)
M = dt.date(2023, 6, 1)

GOOD_DATES = [
    ("2023-6-30", D, "day"),
    ("2023-06-30", D, "day"),
    ("2023/06/30", D, "day"),
    ("2023/6/30", D, "day"),
    ("2023.6.30", D, "day"),
    ("2023.06.30", D, "day"),
    ("20230630", D, "day"),
    ("2023年6月30日", D, "day"),
    ("2023年06月30日", D, "day"),
    ("2023 年 6 月 30 日", D, "day"),
    ("2023年6月30号", D, "day"),
    ("２０２３年６月３０日", D, "day"),
    ("２０２３－０６－３０", D, "day"),
    (" 2023-06-30 ", D, "day"),
    ("2023-06-30 00:00:00", D, "day"),
    ("2023-06-30T08:15", D, "day"),
    ("二〇二三年六月三十日", D, "day"),
    ("2023年6月", M, "month"),
    ("2023.06", M, "month"),
    ("2023.6", M, "month"),
    ("2023-06", M, "month"),
    ("2023/6", M, "month"),
    ("202306", M, "month"),
    ("二〇二三年六月", M, "month"),
    ("2024-2-29", dt.date(2024, 2, 29), "day"),
    (D, D, "day"),
    (dt.datetime(2023, 6, 30, 14, 5), D, "day"),
    (45107, D, "day"),
    (45107.0, D, "day"),
    (45107.75, D, "day"),
    (1, dt.date(1900, 1, 1), "day"),
    (59, dt.date(1900, 2, 28), "day"),
    (61, dt.date(1900, 3, 1), "day"),
    (73415, dt.date(2100, 12, 31), "day"),
    (20230630, D, "day"),  # typed into a number cell
    (2023.06, M, "month"),  # "2023.06" typed into a number cell
]


@pytest.mark.parametrize(("raw", "date", "precision"), GOOD_DATES)
def test_parse_date_ok(raw, date, precision):
    assert parse_date(raw) == (date, precision, None)


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_parse_date_blank(raw):
    assert parse_date(raw) == (None, None, None)


BAD_DATES = [
    ("2023-2-30", "date_impossible"),
    ("2023-02-29", "date_impossible"),
    ("2023-13-01", "date_impossible"),
    ("2023-13", "date_impossible"),
    ("2023年0月", "date_impossible"),
    ("2023-06-31", "date_impossible"),
    ("1023-06-30", "date_impossible"),
    (60, "date_impossible"),  # Excel's phantom 1900-02-29
    ("06/07/2023", "date_ambiguous"),
    ("6/7/23", "date_ambiguous"),
    ("23.6.30", "date_ambiguous"),
    ("30/06/2023", "date_ambiguous"),
    ("06-07-2023", "date_ambiguous"),
    (2023.1, "date_ambiguous"),  # "2023.10" or "2023.1" typed into a number cell
    ("2023", "date_format"),
    (2023, "date_format"),
    ("明天", "date_format"),
    ("2023年上半年", "date_format"),
    ("2023-06-30至2023-12-31", "date_format"),
    ("45107", "date_format"),
    (0, "date_format"),
    (-1, "date_format"),
    (2958465, "date_format"),  # 9999-12-31: a valid serial but not a plausible date
    (2958466, "date_format"),
    (float("nan"), "date_format"),
    (True, "date_format"),
    ([2023, 6, 30], "date_format"),
]


@pytest.mark.parametrize(("raw", "reason"), BAD_DATES)
def test_parse_date_problems(raw, reason):
    date, precision, problem = parse_date(raw)
    assert date is None and precision is None
    assert_problem(problem, reason)


def test_impossible_date_message():
    _, _, problem = parse_date("2023-2-30")
    assert problem is not None and "“2023-2-30”" in problem.texts()[0] and "2月没有30日" in problem.texts()[0]


@given(st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 12, 31)))
def test_parse_date_round_trips(date):
    serial = (date - dt.date(1899, 12, 30)).days
    for raw in (
        date.isoformat(),
        f"{date.year}/{date.month}/{date.day}",
        f"{date:%Y年%m月%d日}",
        f"{date:%Y%m%d}",
    ):
        assert parse_date(raw) == (date, "day", None)
    if not 1900 <= serial <= 2100:  # such numbers are read as a year (.month), see below
        assert parse_date(serial) == (date, "day", None)
        assert parse_date(serial + 0.25) == (date, "day", None)


def test_year_like_number_is_not_a_serial():
    date, _, problem = parse_date(2023)  # would be serial 1905-07-15
    assert date is None and problem is not None and "只有年份" in problem.texts()[0]


# ---------------------------------------------------------------------------------------------
# parse_bool
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["是", "Y", "y", "yes", "YES", "Yes", "true", "TRUE", "√", "1", 1, 1.0, True, "ｙｅｓ", "Ｙ", " 是 "],
)
def test_parse_bool_true(raw):
    assert parse_bool(raw) == (True, None)


@pytest.mark.parametrize(
    "raw", ["否", "N", "n", "no", "NO", "false", "False", "×", "0", 0, 0.0, False, "ＮＯ", "０"]
)
def test_parse_bool_false(raw):
    assert parse_bool(raw) == (False, None)


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_parse_bool_blank(raw):
    assert parse_bool(raw) == (None, None)


@pytest.mark.parametrize("raw", ["也许", "maybe", "2", 2, "是的吧", "yes/no"])
def test_parse_bool_problems(raw):
    value, problem = parse_bool(raw)
    assert value is None
    assert_problem(problem, "bool_format")


# ---------------------------------------------------------------------------------------------
# Robustness, messages, registry, imports
# ---------------------------------------------------------------------------------------------

anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(),
    st.text(alphabet="0123456789０１２３４５６７８９.,，-－+%万亿元年月日/ ㎡m²平方米家@＠()（）转xX"),
    st.dates(),
    st.decimals(),
)


@settings(max_examples=300)
@example(10**5000, None, False)  # str() refuses ints this long
@example(float("-inf"), "万元", True)
@example("\x00\u3000\n", "%", False)
@given(anything, st.sampled_from([None, "m2", "万元", "亿元", "%", "家", "吨", ""]), st.booleans())
def test_nothing_raises(value, unit, integer):
    for checker in CHECKERS.values():
        result = checker(value)
        assert result is None or isinstance(result, Problem)
    number, problem = parse_number(value, unit, integer=integer)
    assert (number is None) or (problem is None)
    date, precision, problem = parse_date(value)
    assert (date is None) == (precision is None)
    assert date is None or problem is None
    flag, problem = parse_bool(value)
    assert flag is None or problem is None
    normalize_text(value)


def test_messages_truncate_the_value():
    long_value = "1" * 100
    for problem in (check_uscc(long_value), check_phone(long_value), parse_date(long_value)[2]):
        assert problem is not None
        assert "1" * 39 + "…" in problem.texts()[0]
        assert "1" * 40 not in problem.texts()[0]


def test_checkers_registry():
    assert CHECKERS == {"uscc": check_uscc, "phone": check_phone, "email": check_email}
    assert CHECKERS["uscc"](REAL_USCCS[0]) is None


def test_imports_only_the_standard_library():
    code = (
        "import sys, zonekit\n"
        "before = set(sys.modules)\n"
        "import zonekit.fields.cellvalues\n"
        "new = {m.split('.')[0] for m in set(sys.modules) - before}\n"
        "print(sorted(new - set(sys.stdlib_module_names) - {'zonekit'}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@given(head8, st.text(alphabet=ALPHABET, min_size=8, max_size=8))
def test_fast_path_agrees_with_full_check(head, body):
    code = make_uscc(head, body)
    assert uscc_ok(code) and check_uscc(code) is None
    bad = code[:-1] + ("0" if code[-1] != "0" else "1")
    assert not uscc_ok(bad) and check_uscc(bad) is not None


@given(head8, st.text(alphabet=ALPHABET, min_size=8, max_size=8),
       st.integers(0, 17), st.sampled_from(ALPHABET + "XIOSVZ" + "axq \u3000Ａ１\t"))
def test_fast_path_agrees_on_every_single_character_change(head, body, pos, ch):
    # uscc_ok computes both check characters with int(.., 34) / int(.., 35) (see its docstring);
    # check_uscc does it character by character: they must agree on every code one change away
    code = make_uscc(head, body)
    changed = code[:pos] + ch + code[pos + 1:]
    assert uscc_ok(changed) == (check_uscc(changed) is None)


@given(st.lists(st.one_of(
    st.builds(make_uscc, head8, st.text(alphabet=ALPHABET, min_size=8, max_size=8)),
    st.builds(lambda code, pos, ch: code[:pos] + ch + code[pos + 1:], st.sampled_from(REAL_USCCS), st.integers(0, 17),
              st.sampled_from(ALPHABET + "XIOxa \n\u3000Ａ")),
    st.sampled_from(["", "91440300MA5G001QX2\n91440300MA5G001QX2", "9144030", 9.1e17, None]),
), max_size=6))
def test_column_check_is_the_per_code_check(values):
    # usccs_ok checks a whole column with map() passes; it must say exactly what uscc_ok says of every code
    assert usccs_ok(values) == all(map(uscc_ok, values))

