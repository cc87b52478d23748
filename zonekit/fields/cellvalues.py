"""Value normalisation and format checkers for cells of application forms.

Office staff fill the forms in WPS or Excel, so a cell can hold full-width digits, stray spaces,
numbers that Excel stored as text (or text that it stored as numbers), units typed after the
figure, and dates in any of a dozen spellings.  Everything here takes such a raw cell value and
either returns a clean value or a `zonekit.findings.Problem` (the one problem type) whose one-line
sentences in Chinese and English tell the colleague what to fix; the reason (uscc_check_digit,
date_impossible, …) travels in its parameters (`said`).  Nothing here raises on bad input, and only
the standard library and zonekit.findings are imported, so importing this module is cheap.

Standards
---------
统一社会信用代码 (unified social credit code, GB 32100-2015)
    18 characters from "0123456789ABCDEFGHJKLMNPQRTUWXY" (I, O, S, V and Z are never used):
    position 1 registration authority, 2 organisation type, 3-8 administrative division code
    (GB/T 2260: six digits, never letters), 9-17 the organisation code, 18 the check digit.
    A valid code typed in lower case, with spaces or full-width is reported ("uscc_form") with
    its canonical spelling, which is what the check keeps.  The check digit is
    c = 31 - (sum of value(char_i) * weight_i for the first 17 characters) mod 31, with weights
    1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28 (3**i mod 31); 31 is written "0".
组织机构代码 (organisation code, GB 11714-1997)
    8 body characters (0-9 -> 0-9, A-Z -> 10-35) and a check character,
    c = 11 - (sum of value * weight) mod 11 with weights 3 7 9 10 5 8 4 2; 10 is "X", 11 is "0".
    Positions 9-17 of a credit code are such a code, so its check character is verified too.
Telephone numbers
    Mainland mobiles are 11 digits starting 13-19 (an optional +86 / 0086 / 86 in front).
    Landlines are "0" + area code + number: 010 and 020-029 take 8 digits, the 3-digit codes
    (which start with 3-9, e.g. 0755) take 7 or 8 digits; an extension may follow.
    400/800 service numbers have 10 digits.  A landline without its area code is rejected.
Dates
    Excel's 1900 date system: serial n is 1899-12-30 + n days (serials below 60 count from
    1899-12-31 because Excel believes 1900-02-29 existed; serial 60 is that phantom day).
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from itertools import repeat
from operator import itemgetter, mod, mul, neg
from typing import Any, NamedTuple

from zonekit.findings import Problem

__all__ = [
    "CHECKERS",
    "code_of",
    "problem",
    "said",
    "check_email",
    "check_phone",
    "check_uscc",
    "make_uscc",
    "normalize_text",
    "norm_label",
    "norm_labels",
    "org_check_digit",
    "parse_bool",
    "parse_date",
    "parse_number",
    "uscc_canonical",
    "uscc_check_digit",
]


# the finding code of each reason a value is refused for (reasons not listed: by their prefix)
_REASON_CODE = {
    "number_text": "value_type", "number_unit": "value_type", "number_negative": "value_range",
    "number_ambiguous": "value_ambiguous", "date_ambiguous": "value_ambiguous",
    "date_format": "value_type", "date_impossible": "value_type", "bool_format": "value_type",
    "email_format": "email_invalid", "uscc_form": "uscc_form",
}


def code_of(reason: str) -> str:
    """The finding code (zonekit.findings.CODES) of a reason a value is refused for."""
    if reason in _REASON_CODE:
        return _REASON_CODE[reason]
    if reason.startswith(("uscc", "org_")):
        return "uscc_invalid"
    if reason.startswith("phone"):
        return "phone_invalid"
    return "value_type"


def problem(reason: str, zh: str, en: str) -> Problem:
    """What is wrong with one value: the one problem type (zonekit.findings.Problem) of its reason's code,
    its sentences said of the value here, where what exactly is wrong is known (variant "text");
    `reason` (uscc_check_digit, date_impossible, …) stays in its parameters for whoever asks."""
    return Problem(code_of(reason), {"reason": reason, "zh": zh, "en": en}, "text")


def said(p: Problem) -> tuple[str, str, str]:
    """A value problem's reason and its Chinese and English sentences."""
    params = p.params or {}
    return params["reason"], params["zh"], params["en"]


# --------------------------------------------------------------------------------------------
# Text helpers
# --------------------------------------------------------------------------------------------

def norm_label(text: Any) -> str:
    """Label for comparison: no whitespace (incl. U+3000), full-width （）：， as ASCII, lower case."""
    if text is None:
        return ""
    # str.split() drops exactly the characters re's \s does; chained replace() is ~4x faster than
    # re.sub + str.translate, and this runs once per cell of a 100,000-row table
    s = "".join(str(text).split())
    return s.replace("（", "(").replace("）", ")").replace("：", ":").replace("，", ",").lower()


def norm_labels(texts: list[Any]) -> list[str]:
    """`norm_label` of each item, done on one joined string: for a whole column of a big table.

    Cell text cannot hold U+0000 (XML forbids it, and it is not whitespace), so it safely
    separates the items."""
    if not set(map(type, texts)) <= {str}:
        return list(map(norm_label, texts))
    joined = "".join("\0".join(texts).split())
    joined = joined.replace("（", "(").replace("）", ")").replace("：", ":").replace("，", ",").lower()
    out = joined.split("\0")
    return out if len(out) == len(texts) else list(map(norm_label, texts))



_SHOW_MAX = 40
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_WHITESPACE = re.compile(r"\s+")


def normalize_text(value: object) -> str:
    """Text for comparisons: NFKC (full-width -> half-width, （） -> (), U+3000 -> space),
    invisible characters removed, whitespace (including newlines) collapsed, ends stripped.
    Chinese characters are kept.  None becomes ""."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", _to_str(value)).translate(_INVISIBLE)
    return _WHITESPACE.sub(" ", text).strip()


def _show(value: object) -> str:
    """The offending value as it goes into a message: one line, at most 40 characters."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _WHITESPACE.sub(" ", _to_str(value)).strip()
    return text if len(text) <= _SHOW_MAX else text[: _SHOW_MAX - 1] + "…"


def _to_str(value: object) -> str:
    if isinstance(value, str):
        return value
    try:
        return str(value)
    except ValueError:  # e.g. an int with more digits than str() allows
        return f"<{type(value).__name__}>"


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not normalize_text(value))


# --------------------------------------------------------------------------------------------
# 统一社会信用代码 / 组织机构代码
# --------------------------------------------------------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_VALUE = {ch: int(ch, 36) for ch in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
_ORG_BODY = re.compile(r"[0-9A-Z]{8}")
_LOOKALIKES = {"O": "0", "I": "1"}


def uscc_check_digit(first17: str) -> str:
    """GB 32100-2015 check character for the first 17 characters of a credit code.

    Raises ValueError if `first17` is not 17 characters from the code alphabet."""
    if len(first17) != 17 or any(ch not in _USCC_VALUE for ch in first17):
        raise ValueError(f"need 17 characters from {USCC_ALPHABET!r}, got {first17!r}")
    total = sum(_USCC_VALUE[ch] * w for ch, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def org_check_digit(first8: str) -> str:
    """GB 11714-1997 check character ("0"-"9" or "X") for an 8-character organisation code body.

    Raises ValueError if `first8` is not 8 characters from 0-9 / A-Z."""
    if not _ORG_BODY.fullmatch(first8):
        raise ValueError(f"need 8 characters from 0-9 and A-Z, got {first8!r}")
    total = sum(int(ch, 36) * w for ch, w in zip(first8, _ORG_WEIGHTS, strict=True))
    c = 11 - total % 11
    return {10: "X", 11: "0"}.get(c, str(c))


def make_uscc(head8: str, org_body8: str) -> str:
    """A valid credit code from positions 1-8 and the 8-character organisation code body.

    Both parts must use the code alphabet and positions 3-8 (the region code) must be digits;
    raises ValueError otherwise."""
    if len(head8) != 8 or len(org_body8) != 8:
        raise ValueError("head8 and org_body8 must be 8 characters each")
    if not head8[2:].isascii() or not head8[2:].isdigit():
        raise ValueError(f"positions 3-8 (the administrative division code) must be digits, got {head8!r}")
    first17 = head8 + org_body8 + org_check_digit(org_body8)
    return first17 + uscc_check_digit(first17)


# positions 1-2 and 9-16 from the code alphabet, 3-8 digits (the region code), 17 the organisation
# code check ("0"-"9" or "X"), 18 the code's check character
_CLEAN_USCC = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{8}[0-9X][0-9A-HJ-NPQRTUWXY]")


_AS_BASE36_DIGITS = str.maketrans(USCC_ALPHABET, "0123456789ABCDEFGHIJKLMNOPQRSTU")
_AS_BASE36_BYTES = bytes.maketrans(USCC_ALPHABET.encode(), b"0123456789ABCDEFGHIJKLMNOPQRSTU")


def uscc_ok(value: object) -> bool:
    """Fast path for the common case: an already clean, valid 18-character code (no message work).

    Both weighted sums are read as one int() each, in C. The weights are powers: the code's are
    3**i mod 31, so with its first 17 characters reversed and spelled as base-31 digits,
    int(.., 34) = sum(d_i * 34**i) = sum(d_i * 3**i) (mod 31). The organisation code's are
    3 * 6**j mod 11, and int(body, 35) = sum(d_j * 35**(7-j)) = 2**7 * sum(d_j * 6**j) (mod 11),
    so its weighted sum is 3 * 2**-7 * int(body, 35) = 2 * int(body, 35) (mod 11). A test holds
    this to the plain per-character computation in `check_uscc`."""
    if type(value) is not str or len(value) != 18 or not _CLEAN_USCC.fullmatch(value):
        return False
    if "0123456789X"[-2 * int(value[8:16], 35) % 11] != value[16]:  # remainder 11 -> "0", 10 -> "X"
        return False
    return USCC_ALPHABET[-int(value[16::-1].translate(_AS_BASE36_DIGITS), 34) % 31] == value[17]


_CLEAN_USCC_LINES = re.compile(r"(?:[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{8}[0-9X][0-9A-HJ-NPQRTUWXY]\n)*")


def usccs_ok(values: list[Any]) -> bool:
    """`all(map(uscc_ok, values))` for a whole column, computed in C-level passes (map over the
    column for each step of `uscc_ok`) instead of a Python call per code."""
    if not values:
        return True
    if not set(map(type, values)) <= {str}:
        return False
    lines = "\n".join(values) + "\n"
    if len(lines) != 19 * len(values) or not _CLEAN_USCC_LINES.fullmatch(lines):  # 19 a line: no break inside a code
        return False
    org = map(int, map(itemgetter(slice(8, 16)), values), repeat(35))
    org_checks = map("0123456789X".__getitem__, map(mod, map(mul, org, repeat(-2)), repeat(11)))
    if list(org_checks) != list(map(itemgetter(16), values)):
        return False
    # the whole column translated at once as bytes (str.translate looks each character up in a dict)
    spelled = lines.encode("ascii").translate(_AS_BASE36_BYTES).decode("ascii").split("\n")
    head = map(itemgetter(slice(16, None, -1)), spelled[:-1])
    checks = map(USCC_ALPHABET.__getitem__, map(mod, map(neg, map(int, head, repeat(34))), repeat(31)))
    return list(checks) == list(map(itemgetter(17), values))


# The canonical spelling of a code: full-width ASCII (ＡＢＣ１２３) as half-width, a-z upper-cased,
# invisible characters dropped (whitespace, U+3000 included, is dropped by str.split). Narrower
# than NFKC on purpose: NFKC would also read ① ² 𝟗 as digits, which no licence prints.
_USCC_SPELLING = {
    **{0xFEE0 + c: chr(c).upper() for c in range(0x21, 0x7F)},
    **{ord(ch): ch.upper() for ch in "abcdefghijklmnopqrstuvwxyz"},
    **_INVISIBLE,
}


def uscc_canonical(value: object) -> str:
    """A credit code as it must be written: upper case, half-width, no spaces or invisible characters.

    Only the spelling changes; whether the result is a valid code is `check_uscc`'s business."""
    return "".join(_to_str(value).translate(_USCC_SPELLING).split())


def _uscc_spelling(value: str) -> tuple[str, str]:
    """What keeps `value` from being written canonically, in Chinese and English ("小写字母、空格")."""
    kinds = [
        ("小写字母", "lower-case letters", any("a" <= ch <= "z" or "ａ" <= ch <= "ｚ" for ch in value)),
        ("空格", "spaces", any(ch.isspace() for ch in value)),
        ("全角字符", "full-width characters", any("\uff01" <= ch <= "\uff5e" for ch in value)),
        ("不可见字符", "invisible characters", any(ord(ch) in _INVISIBLE for ch in value)),
    ]
    found = [(zh, en) for zh, en, present in kinds if present]
    return "、".join(zh for zh, _ in found), ", ".join(en for _, en in found)


def _uscc_problem(reason: str, zh: str, en: str) -> Problem:
    return problem(reason, zh + "，请核对营业执照", en + "; please check the business licence")


def check_uscc(value: object) -> Problem | None:
    """Check a 统一社会信用代码: length, alphabet, region code digits, organisation code check,
    final check; then its spelling.

    The checks run on `uscc_canonical(value)`. A valid code written otherwise (lower case, spaces,
    full-width characters) gets the "uscc_form" problem, whose message gives the canonical form;
    None means `value` is a valid code written canonically, exactly when `uscc_ok(value)`.
    Blank values are not this check's business."""
    if _is_blank(value):
        return None
    shown = _show(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not abs(value) < 1e15:  # 18 digits do not survive a number cell
            return _uscc_number_problem(shown)
        value = shown
    code = uscc_canonical(value)
    # what Excel, WPS and LibreOffice show of a code they turned into a number (9.14403E+17: the "+" is always
    # there; 0E0000010000000003 is a code to check)
    if re.fullmatch(r"\d(\.\d+)?E\+\d+", code):
        return _uscc_number_problem(shown)
    if len(code) != 18:
        return _uscc_problem(
            "uscc_length",
            f"统一社会信用代码“{shown}”有{len(code)}位，应为18位",
            f"Unified social credit code '{shown}' has {len(code)} characters, it must have 18",
        )
    for pos, ch in enumerate(code, 1):
        if ch not in _USCC_VALUE:
            return _uscc_alphabet_problem(shown, pos, ch)
    for pos, ch in enumerate(code[2:8], 3):
        if not "0" <= ch <= "9":
            return _uscc_problem(
                "uscc_region",
                f"统一社会信用代码“{shown}”第3—8位为行政区划码，只能是数字，第{pos}位为“{ch}”",
                f"Unified social credit code '{shown}': characters 3-8 are the administrative division code "
                f"and must be digits; character {pos} is '{ch}'",
            )
    expected = org_check_digit(code[8:16])
    if code[16] != expected:
        return _uscc_problem(
            "org_check_digit",
            f"统一社会信用代码“{shown}”第17位（组织机构代码校验位）应为“{expected}”，实际为“{code[16]}”",
            f"Unified social credit code '{shown}': character 17 (organisation code check) "
            f"should be '{expected}', found '{code[16]}'",
        )
    expected = uscc_check_digit(code[:17])
    if code[17] != expected:
        return _uscc_problem(
            "uscc_check_digit",
            f"统一社会信用代码“{shown}”校验位应为“{expected}”，实际为“{code[17]}”",
            f"The check character of unified social credit code '{shown}' should be '{expected}', "
            f"found '{code[17]}'",
        )
    if code != _to_str(value):
        what_zh, what_en = _uscc_spelling(_to_str(value))
        return problem(
            "uscc_form",
            f"统一社会信用代码“{shown}”含{what_zh}，应为大写半角、不含空格：{code}",
            f"Unified social credit code '{shown}' has {what_en}; write it in upper case, half-width, "
            f"without spaces: {code}",
        )
    return None


def _uscc_alphabet_problem(shown: str, pos: int, ch: str) -> Problem:
    hint_zh = hint_en = ""
    if ch in _LOOKALIKES:
        hint_zh = f"（是否应为数字“{_LOOKALIKES[ch]}”？）"
        hint_en = f" (digit '{_LOOKALIKES[ch]}'?)"
    return _uscc_problem(
        "uscc_alphabet",
        f"统一社会信用代码“{shown}”第{pos}位“{ch}”不是合法字符{hint_zh}，代码中不使用I、O、S、V、Z",
        f"Unified social credit code '{shown}': character {pos} '{ch}' is not allowed{hint_en}; "
        "the code never uses I, O, S, V or Z",
    )


def _uscc_number_problem(shown: str) -> Problem:
    return problem(
        "uscc_number",
        f"统一社会信用代码“{shown}”被Excel存成了数字，末尾几位已丢失，请把单元格设为文本后重新录入",
        f"Unified social credit code '{shown}' was stored by Excel as a number and lost digits; "
        "format the cell as text and type it again",
    )


# --------------------------------------------------------------------------------------------
# Telephone numbers
# --------------------------------------------------------------------------------------------

_MOBILE = re.compile(r"1[3-9]\d{9}")
# 2-digit area codes (10, 20-29) carry 8-digit numbers; 3-digit codes start with 3-9.
_LANDLINE = re.compile(r"0(?:10|2\d)\d{8}|0[3-9]\d{2}\d{7,8}")
_SERVICE = re.compile(r"[48]00\d{7}")
_PHONE_SEPARATORS = re.compile(r"[\s\-—–‐]+")
_BRACKETED_CODE = re.compile(r"\((\+?\d{1,4})\)")
_EXPLICIT_EXTENSION = re.compile(r"(.*?\d)\s*(?:转|分机|ext\.?|x|#)\s*(\d{1,6})", re.IGNORECASE)
_DASH_EXTENSION = re.compile(r"(.*\d)\s*[\-—–‐]\s*(\d{1,6})")
_SEVERAL_NUMBERS = re.compile(r"\d{3}.*[/、,;，；].*\d{3}")
_PHONE_EXAMPLE_ZH = "请按“0755-83451234”或“13812345678”格式填写"
_PHONE_EXAMPLE_EN = "write it like '0755-83451234' or '13812345678'"


def _phone_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalize_text(value).replace("\u2212", "-")


def _phone_digits(text: str) -> str | None:
    """Digits of one number (a leading "+" kept), or None if it holds anything but digits,
    separators and a bracketed area/country code at the start."""
    m = _BRACKETED_CODE.match(text)
    if m:
        text = m[1] + "-" + text[m.end() :]
    digits = _PHONE_SEPARATORS.sub("", text)
    if not re.fullmatch(r"\+?\d+", digits):
        return None
    return digits


def _classify_phone(text: str) -> tuple[str, str]:
    """("mobile" | "landline" | "service" | "chars" | "foreign" | "bad", digits)."""
    digits = _phone_digits(text)
    if digits is None:
        return "chars", ""
    international = False
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits, international = digits[len(prefix) :], True
            break
    else:
        if digits.startswith(("+", "00")):
            return "foreign", digits
        if digits.startswith("86") and _MOBILE.fullmatch(digits[2:]):
            digits = digits[2:]
    if _MOBILE.fullmatch(digits):
        return "mobile", digits
    if international and not digits.startswith("0"):
        digits = "0" + digits
    if _LANDLINE.fullmatch(digits):
        return "landline", digits
    if _SERVICE.fullmatch(digits) and not international:
        return "service", digits
    return "bad", digits


def check_phone(value: object) -> Problem | None:
    """Check a mainland mobile, a landline with area code (and optional extension) or a 400/800
    number.  Full-width digits and the usual separators are accepted.  Blank values pass."""
    if _is_blank(value):
        return None
    text = _phone_text(value)
    shown = _show(value)
    if _SEVERAL_NUMBERS.search(text):
        return _phone_problem(
            f"联系电话“{shown}”填了多个号码，一格只填一个号码",
            f"Phone '{shown}' holds several numbers; give one number per cell",
        )
    main, ext = text, None
    m = _EXPLICIT_EXTENSION.fullmatch(text)
    if m:
        main, ext = m[1], m[2]
    kind, digits = _classify_phone(main)
    if kind not in ("mobile", "landline", "service") and ext is None:
        m = _DASH_EXTENSION.fullmatch(text)
        if m:
            dash_kind = _classify_phone(m[1])[0]
            if dash_kind in ("landline", "service"):
                return None
            if dash_kind == "mobile":
                kind, ext = "mobile", m[2]
    if ext is not None and kind == "mobile":
        return _phone_problem(
            f"手机号码“{shown}”不能带分机号",
            f"Mobile number '{shown}' cannot have an extension",
        )
    if kind in ("mobile", "landline", "service"):
        return None
    return _phone_failure(kind, digits, shown, numeric=isinstance(value, int | float))


def _phone_failure(kind: str, digits: str, shown: str, *, numeric: bool) -> Problem:
    if kind == "chars":
        return _phone_problem(
            f"联系电话“{shown}”含有字母或其他字符，{_PHONE_EXAMPLE_ZH}",
            f"Phone '{shown}' contains letters or other characters; {_PHONE_EXAMPLE_EN}",
        )
    if kind == "foreign":
        return _phone_problem(
            f"联系电话“{shown}”不是大陆号码，请填写大陆手机号或带区号的固定电话",
            f"Phone '{shown}' is not a mainland number; give a mainland mobile or landline",
        )
    n = len(digits)
    if n in (7, 8) and digits[0] not in "01":
        return _phone_problem(
            f"联系电话“{shown}”缺少区号，请按“0755-83451234”格式填写",
            f"Phone '{shown}' lacks the area code; write it like '0755-83451234'",
        )
    if digits.startswith(("400", "800")):
        return _phone_problem(
            f"服务电话“{shown}”有{n}位，400/800号码应为10位",
            f"Service number '{shown}' has {n} digits, it must have 10",
        )
    if re.match(r"[2-9]|10\d{8}$", digits) and _LANDLINE.fullmatch("0" + digits):
        why_zh = "（单元格是数字格式，开头的0被Excel去掉了，请设为文本）" if numeric else ""
        why_en = " (Excel dropped it because the cell is numeric; format it as text)" if numeric else ""
        return _phone_problem(
            f"联系电话“{shown}”缺少区号前的“0”{why_zh}，应为“0{digits}”",
            f"Phone '{shown}' lacks the leading '0' of the area code{why_en}; it should be '0{digits}'",
        )
    if digits.startswith("1"):
        if n == 11:
            return _phone_problem(
                f"手机号码“{shown}”号段不对，手机号应以13–19开头",
                f"Mobile number '{shown}' has an unknown prefix; mobiles start with 13-19",
            )
        return _phone_problem(
            f"手机号码“{shown}”有{n}位，应为11位",
            f"Mobile number '{shown}' has {n} digits, it must have 11",
        )
    if digits.startswith("0"):
        return _phone_problem(
            f"固定电话“{shown}”位数不对，应为区号加7–8位号码，如“0755-83451234”",
            f"Landline '{shown}' has the wrong number of digits; use area code + 7-8 digits, "
            "e.g. '0755-83451234'",
        )
    return _phone_problem(
        f"联系电话“{shown}”不是有效号码，{_PHONE_EXAMPLE_ZH}",
        f"Phone '{shown}' is not a valid number; {_PHONE_EXAMPLE_EN}",
    )


def _phone_problem(zh: str, en: str) -> Problem:
    return problem("phone_format", zh, en)


# --------------------------------------------------------------------------------------------
# E-mail addresses
# --------------------------------------------------------------------------------------------

_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_EMAIL_DOMAIN = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")
_FULL_WIDTH = re.compile(r"[\uff01-\uff5e\u3000\u3002]")


def check_email(value: object) -> Problem | None:
    """Pragmatic e-mail check: one @, a plain ASCII local part and a dotted domain.
    Full-width characters are reported with the half-width spelling.  Blank values pass."""
    if _is_blank(value):
        return None
    text = _to_str(value).strip()
    shown = _show(value)
    if _FULL_WIDTH.search(text):
        fixed = normalize_text(text).replace("。", ".")
        return _email_problem(
            f"电子邮箱“{shown}”含全角字符，请改为半角：“{_show(fixed)}”",
            f"E-mail '{shown}' contains full-width characters; use '{_show(fixed)}'",
        )
    if re.search(r"\s", text):
        return _email_problem(
            f"电子邮箱“{shown}”中间有空格，请删除（一格只填一个邮箱）",
            f"E-mail '{shown}' contains spaces; remove them (one address per cell)",
        )
    if text.count("@") != 1:
        many = text.count("@") > 1
        return _email_problem(
            f"电子邮箱“{shown}”" + ("有多个“@”，一格只填一个邮箱" if many else "缺少“@”"),
            f"E-mail '{shown}' " + ("has several '@'; give one address" if many else "has no '@'"),
        )
    local, domain = text.split("@")
    if not text.isascii():
        return _email_problem(
            f"电子邮箱“{shown}”含中文或其他非英文字符，请核对",
            f"E-mail '{shown}' contains non-ASCII characters",
        )
    if len(text) > 254 or not _EMAIL_LOCAL.fullmatch(local):
        return _email_problem(
            f"电子邮箱“{shown}”“@”前的用户名不正确，请核对",
            f"E-mail '{shown}': the part before '@' is not valid",
        )
    if not _EMAIL_DOMAIN.fullmatch(domain):
        return _email_problem(
            f"电子邮箱“{shown}”“@”后的域名不完整，应类似“name@example.com”",
            f"E-mail '{shown}': the domain after '@' is incomplete, e.g. 'name@example.com'",
        )
    return None


def _email_problem(zh: str, en: str) -> Problem:
    return problem("email_format", zh, en)


CHECKERS: dict[str, Callable[[str], Problem | None]] = {
    "uscc": check_uscc,
    "phone": check_phone,
    "email": check_email,
}


# --------------------------------------------------------------------------------------------
# Numbers with units
# --------------------------------------------------------------------------------------------

# Base units: spelling (after NFKC, lower case) -> (dimension, factor to the dimension's base).
# NFKC already turns ㎡ and m² into "m2", ㎢ and km² into "km2", ％ into "%".
_UNIT_SPELLINGS: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("money", 1, ("元", "块")),
    ("area", 1, ("m2", "平方米", "平米", "平方")),
    ("area", 10**4, ("公顷", "ha")),
    ("area", 10**6, ("km2", "平方公里", "平方千米")),
    ("亩", 1, ("亩",)),
    ("percent", 1, ("%",)),
    ("家", 1, ("家",)),
    ("人", 1, ("人", "名")),
    ("个", 1, ("个",)),
    ("项", 1, ("项",)),
    ("次", 1, ("次",)),
    ("人次", 1, ("人次",)),
    ("件", 1, ("件",)),
)
_BASE_UNITS = {spelling: (dim, factor) for dim, factor, names in _UNIT_SPELLINGS for spelling in names}
# Chinese multipliers written in front of a unit ("1.5万人", "3亿元", "2千元"); 千万 before 千.
_MULTIPLIERS = (("百万", 10**6), ("千万", 10**7), ("千", 10**3), ("万", 10**4), ("亿", 10**8))
_UNIT_NAMES = {"m2": "平方米", "km2": "平方公里"}

_RANGE = re.compile(r"\d\s*(?:-|—|–|~|至|到|、|/)\s*\d")
_VAGUE = re.compile(
    r"约|大约|大概|估计|预计|左右|上下|将近|接近|近|超过|超|多|余|以上|以下|以内|不足|不到|不少于"
    r"|至少|至多|最多|[<>≤≥≈~]|\d\s*\+\s*$"
)
_NUMBER = re.compile(r"(?P<cur>[¥￥])?\s*(?P<sign>[+-])?\s*(?P<num>\d[\d,.]*|\.\d+)\s*(?P<unit>.*)")
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+")


class _Unit(NamedTuple):
    """A unit spelling split into a Chinese multiplier and a base unit ("万元" = 10**4 x 元)."""

    multiplier: int
    base: str  # normalised spelling, "" for a bare multiplier ("1.5万")


def _split_unit(text: str) -> _Unit:
    spelling = normalize_text(text).lower()
    if spelling not in _BASE_UNITS:
        for prefix, factor in _MULTIPLIERS:
            if spelling.startswith(prefix):
                return _Unit(factor, spelling[len(prefix) :])
    return _Unit(1, spelling)


def _base_of(base: str, field: _Unit) -> tuple[str, int] | None:
    """(dimension, factor) of a base unit; the field's own base counts even if not in the table."""
    if base in _BASE_UNITS:
        return _BASE_UNITS[base]
    if base == field.base:
        return base, 1
    return None


def parse_number(
    value: object, unit: str | None = None, *, integer: bool = False
) -> tuple[float | int | None, Problem | None]:
    """Parse a numeric cell of a field measured in `unit`.

    Returns (number, None) or (None, problem); blanks give (None, None).  Strings may use
    full-width characters, thousands separators and a trailing unit that is the field's unit, a
    synonym (㎡ = m2 = m² = 平方米 = 平米), or a convertible unit (元 / 千元 / 万元 / 亿元;
    m2 / 公顷 / km2; a bare multiplier as in "1.5万"), which is converted to the field's unit.
    Vague, ranged or foreign-unit text is a problem.  Negative numbers are returned as they are.
    Numbers that Excel already stored as numbers are returned unchanged (a percentage cell
    holds 0.125 for 12.5%).  Results are int when whole and written without a decimal point,
    float otherwise; with `integer=True` always int, and a fraction is a problem."""
    if _is_blank(value):
        return None, None
    shown = _show(value)
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        return _number_problem("number_text", shown, "不是数字，请填写数字", "is not a number")
    if isinstance(value, int):
        return value, None
    if isinstance(value, float | Decimal):
        finite = value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)
        if not finite:
            return _number_problem("number_text", shown, "不是有效数字", "is not a finite number")
        return _finish(value, shown, integer=integer)
    return _parse_number_text(value, shown, unit, integer=integer)


def _number_problem(reason: str, shown: str, zh: str, en: str) -> tuple[None, Problem]:
    return None, problem(reason, f"“{shown}”{zh}", f"'{shown}' {en}")


def _parse_number_text(
    value: str, shown: str, unit: str | None, *, integer: bool
) -> tuple[float | int | None, Problem | None]:
    text = normalize_text(value).replace("\u2212", "-")
    if not re.search(r"\d", text):
        return _number_problem(
            "number_text",
            shown,
            "不是数字，请填写数字（没有请填0或留空）",
            "is not a number (write 0, or leave the cell empty if there is none)",
        )
    if _RANGE.search(text):
        return _number_problem(
            "number_ambiguous",
            shown,
            "是一个范围或多个数字，请只填写一个确切数值",
            "is a range or several numbers; give one exact figure",
        )
    if _VAGUE.search(text):
        return _number_problem(
            "number_ambiguous",
            shown,
            "不是确切数字，请填写准确数值（不要写“约”“左右”“以上”等）",
            "is not an exact figure; give the exact number",
        )
    m = _NUMBER.fullmatch(text)
    if not m:
        return _number_problem(
            "number_text", shown, "无法识别为数字，请只填写数字", "cannot be read as a number"
        )
    number = _decimal(m["num"])
    if number is None:
        return _number_problem(
            "number_ambiguous",
            shown,
            "的小数点或千分位写法不清楚，请写成“1234.5”或“1,234.5”",
            "has unclear decimal or thousands separators; write '1234.5' or '1,234.5'",
        )
    if m["sign"] == "-":
        number = -number
    suffix = m["unit"].strip() or ("元" if m["cur"] else "")
    converted = _convert(number, suffix, unit)
    if isinstance(converted, Problem):
        reason, zh, en = said(converted)
        return None, problem(reason, f"“{shown}”{zh}", f"'{shown}' {en}")
    return _finish(converted, shown, integer=integer)


def _decimal(digits: str) -> Decimal | None:
    """The value of "1234.5" / "1,234.5" / ".5", or None if the separators are ambiguous."""
    whole, dot, fraction = digits.partition(".")
    if "." in fraction or "," in fraction:
        return None
    if "," in whole and not _GROUPED.fullmatch(whole):
        return None
    try:
        return Decimal((whole.replace(",", "") or "0") + dot + fraction)
    except InvalidOperation:
        return None


def _convert(number: Decimal, suffix: str, unit: str | None) -> Decimal | Problem:
    """`number` written with unit `suffix`, expressed in the field's `unit` (or a problem).

    The problem's messages are completed by the caller, which puts the value in front."""
    if not suffix:
        return number
    field = _split_unit(unit or "")
    field_name = _UNIT_NAMES.get(normalize_text(unit).lower(), normalize_text(unit))
    value = _split_unit(suffix)
    if not value.base:  # "1.5万": the multiplier applies to the field's own base unit
        return number * value.multiplier / field.multiplier
    found = _base_of(value.base, field)
    if found is None and re.search(r"\d", suffix):
        return problem(
            "number_ambiguous", "含多个数字，请只填写一个数值", "holds several numbers; give one figure"
        )
    if not field_name:
        return problem("number_unit", "带了单位，本栏只填数字", "has a unit; write the bare number only")
    expected = _base_of(field.base, field)
    if found is None or expected is None or found[0] != expected[0]:
        return problem(
            "number_unit",
            f"的单位与本栏单位“{field_name}”不符，请换算为{field_name}后只填数字",
            f"has a unit that does not match the field's unit '{field_name}'; convert it and give the number only",
        )
    return number * (value.multiplier * found[1]) / (field.multiplier * expected[1])


def _finish(
    number: float | Decimal, shown: str, *, integer: bool
) -> tuple[float | int | None, Problem | None]:
    whole = number == int(number) or (
        isinstance(number, float) and abs(number - round(number)) < 1e-9 * max(1.0, abs(number))
    )
    if integer:
        if not whole:
            return _number_problem("number_integer", shown, "应为整数", "must be a whole number")
        return int(round(number)), None
    if isinstance(number, Decimal):
        exponent = number.as_tuple().exponent
        if whole and isinstance(exponent, int) and exponent >= 0:
            return int(number), None
        return float(number), None
    return number, None


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------

_EXCEL_EPOCH = _dt.date(1899, 12, 30)
_MIN_YEAR, _MAX_YEAR = 1900, 2100
_MAX_SERIAL = 2958465  # 9999-12-31
_TIME_SUFFIX = re.compile(r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$")
_DATE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})"), "day"),
    (re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})[日号]?"), "day"),
    (re.compile(r"(\d{4})(\d{2})(\d{2})"), "day"),
    (re.compile(r"(\d{4})年(\d{1,2})月?"), "month"),
    (re.compile(r"(\d{4})[-/.](\d{1,2})"), "month"),
    (re.compile(r"(\d{4})(\d{2})"), "month"),
)
_AMBIGUOUS_DATE = re.compile(r"\d{1,2}([-/.])\d{1,2}\1\d{2}(?:\d{2})?")
_CN_DIGITS = dict(zip("〇○零一二三四五六七八九", "001123456789", strict=True))
_CN_DATE = re.compile(
    r"([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月(?:([一二三四五六七八九十]{1,3})[日号])?"
)

_DateResult = tuple[_dt.date | None, str | None, Problem | None]


def _date_problem(reason: str, zh: str, en: str) -> _DateResult:
    return None, None, problem(reason, zh, en)


def _format_problem(
    shown: str, zh: str = "不是可识别的日期", en: str = "is not a recognisable date"
) -> _DateResult:
    return _date_problem(
        "date_format",
        f"日期“{shown}”{zh}，请按“2023-06-30”格式填写",
        f"Date '{shown}' {en}; write it like '2023-06-30'",
    )


def parse_date(value: object) -> _DateResult:
    """Parse a date cell into (date, precision, None) with precision "day" or "month"
    (month-only dates give the 1st), or (None, None, problem); blanks give (None, None, None).

    Accepts date/datetime objects, Excel serial numbers (for years 1900-2100), numbers typed as
    20230630 / 202306 / 2023.06, and strings such as 2023-06-30, 2023/6/30, 2023.6.30, 20230630,
    2023年6月30日, 2023年6月, 2023-06, 2023.06, 二〇二三年六月三十日 (a time part is ignored).
    A number like 2023 (a year alone) is not read as a serial but reported."""
    if _is_blank(value):
        return None, None, None
    if isinstance(value, _dt.datetime):
        return value.date(), "day", None
    if isinstance(value, _dt.date):
        return value, "day", None
    shown = _show(value)
    if isinstance(value, bool):
        return _format_problem(shown)
    if isinstance(value, int | float):
        return _date_from_number(value, shown)
    if not isinstance(value, str):
        return _format_problem(shown)
    return _date_from_text(value, shown)


def _date_from_number(value: float, shown: str) -> _DateResult:
    if isinstance(value, float) and not math.isfinite(value):
        return _format_problem(shown)
    if isinstance(value, float) and not value.is_integer():
        if _MIN_YEAR <= value < _MAX_YEAR + 1:
            return _year_dot_month(repr(float(value)), shown)
        return _date_from_serial(math.floor(value), shown)
    n = int(value)
    if 19000101 <= n <= 21001231 or 190001 <= n <= 210012:
        return _date_from_text(str(n), shown)
    if _MIN_YEAR <= n <= _MAX_YEAR:
        return _format_problem(shown, "只有年份", "is only a year")
    return _date_from_serial(n, shown)


def _year_dot_month(text: str, shown: str) -> _DateResult:
    """2023.06 typed into a number cell arrives as the float 2023.06; 2023.10 arrives as 2023.1."""
    year, _, fraction = text.partition(".")
    if fraction == "1":
        return _date_problem(
            "date_ambiguous",
            f"日期“{shown}”被Excel存成了数字，无法确定是{year}年1月还是10月，请按“2023-06”格式填写",
            f"Date '{shown}' was stored as a number: January or October {year}? Write it like '2023-06'",
        )
    if len(fraction) > 2:
        return _format_problem(shown)
    return _date_from_text(f"{year}.{fraction}", shown)


def _date_from_serial(n: int, shown: str) -> _DateResult:
    if n == 60:
        return _date_problem(
            "date_impossible",
            f"日期“{shown}”对应1900年2月29日，这一天不存在，请核对",
            f"Date '{shown}' is Excel's 1900-02-29, which does not exist",
        )
    if not 1 <= n <= _MAX_SERIAL:
        return _format_problem(shown)
    day = _EXCEL_EPOCH + _dt.timedelta(days=n if n > 60 else n + 1)
    if not _MIN_YEAR <= day.year <= _MAX_YEAR:
        return _format_problem(
            shown, f"按Excel日期换算为{day.isoformat()}，不合理", f"would be {day.isoformat()}"
        )
    return day, "day", None


def _date_from_text(value: str, shown: str) -> _DateResult:
    text = _TIME_SUFFIX.sub("", normalize_text(value)).replace(" ", "")
    m = _CN_DATE.fullmatch(text)
    if m:
        text = (
            "".join(_CN_DIGITS[c] for c in m[1])
            + f"年{_cn_small(m[2])}月"
            + (f"{_cn_small(m[3])}日" if m[3] else "")
        )
    for pattern, precision in _DATE_PATTERNS:
        m = pattern.fullmatch(text)
        if m:
            numbers = [int(g) for g in m.groups() if g.isdigit()]
            return _build_date(numbers, precision, shown)
    if _AMBIGUOUS_DATE.fullmatch(text):
        return _date_problem(
            "date_ambiguous",
            f"日期“{shown}”无法确定年、月、日的顺序，请按“2023-06-30”格式填写（年份写全4位）",
            f"Date '{shown}' is ambiguous (which part is the day, month, year?); write it like '2023-06-30'",
        )
    if re.fullmatch(r"\d{4}年?", text):
        return _format_problem(shown, "只有年份", "is only a year")
    return _format_problem(shown)


def _cn_small(text: str) -> int:
    """一 .. 三十一 written in Chinese numerals (0 for anything malformed)."""
    if "十" not in text:
        return int(_CN_DIGITS[text]) if len(text) == 1 else 0
    tens, _, units = text.partition("十")
    if len(tens) > 1 or len(units) > 1 or units == "十":
        return 0
    return (int(_CN_DIGITS[tens]) if tens else 1) * 10 + (int(_CN_DIGITS[units]) if units else 0)


def _build_date(numbers: list[int], precision: str, shown: str) -> _DateResult:
    year, month, day = (numbers + [1])[:3]
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        return _date_problem(
            "date_impossible",
            f"日期“{shown}”的年份{year}不合理，请核对",
            f"Date '{shown}' has an implausible year {year}",
        )
    if not 1 <= month <= 12:
        return _date_problem(
            "date_impossible",
            f"日期“{shown}”的月份“{month}”不存在，请核对",
            f"Date '{shown}' has no month {month}",
        )
    try:
        return _dt.date(year, month, day), precision, None
    except ValueError:
        return _date_problem(
            "date_impossible",
            f"日期“{shown}”不存在（{year}年{month}月没有{day}日），请核对",
            f"Date '{shown}' does not exist ({year}-{month:02d} has no day {day})",
        )


# --------------------------------------------------------------------------------------------
# Yes / no
# --------------------------------------------------------------------------------------------

_TRUE_WORDS = frozenset({"是", "有", "y", "yes", "t", "true", "1", "√", "✓", "✔", "对"})
_FALSE_WORDS = frozenset({"否", "无", "没有", "n", "no", "f", "false", "0", "×", "✗", "✘", "x", "错"})


def parse_bool(value: object) -> tuple[bool | None, Problem | None]:
    """是/否, Y/N, yes/no, true/false, √/×, 1/0 (any case, full-width ok) -> bool.
    Blanks give (None, None)."""
    if _is_blank(value):
        return None, None
    if isinstance(value, bool):
        return value, None
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value), None
    word = normalize_text(value).lower()
    if word in _TRUE_WORDS:
        return True, None
    if word in _FALSE_WORDS:
        return False, None
    shown = _show(value)
    return None, problem(
        "bool_format",
        f"“{shown}”无法识别，请填写“是”或“否”",
        f"'{shown}' is not a yes/no answer; write '是' (yes) or '否' (no)",
    )
