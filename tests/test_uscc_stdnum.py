"""zonekit's 统一社会信用代码 check against python-stdnum's `stdnum.cn.uscc`, on 100,000 seeded codes.

The codes are random strings over the code alphabet, codes built valid, and valid codes changed
the ways people change them (a character replaced, swapped, dropped or added, lower case, spaces,
full-width characters, dashes). zonekit "accepts" a code when `check_uscc` finds nothing or only
its spelling ("uscc_form": a warning, the code is read in its canonical form).

The two rightly differ in these ways, and in no other (the test fails on any other disagreement):

ORG_CHECK
    stdnum accepts, zonekit rejects. Positions 9-17 are the organisation code of GB 11714-1997
    (GB 32100-2015 4.5), whose own check character is position 17, computed over positions 9-16.
    stdnum only verifies the final check character (position 18), so one code in eleven with a
    right position 18 has a wrong position 17 that stdnum lets through.
HEAD_LETTER
    zonekit accepts, stdnum rejects. stdnum requires positions 1-8 to be digits
    (`isdigits(number[:8])`). Positions 3-8 are the GB/T 2260 region code and digits only (both
    agree), but positions 1 and 2 are the registration department and the organisation category,
    which GB 32100 4.2 and 4.3 write with digits or capital letters of the code alphabet: the
    department table has A (中央军委改革和编制办公室), N (农业, 村级集体经济组织 …) and
    Y (其他), so stdnum rejects real codes such as N2…/Y1…. zonekit takes any character of the
    alphabet there and does not hold the department table (it has grown by amendment since 2015).
SEPARATOR
    stdnum accepts, zonekit rejects. stdnum's `compact()` deletes "-" and every dash it maps to
    "-" (en dash, full-width hyphen, macron …) anywhere in the code; a credit code has no
    separators, so zonekit reports the wrong length or a character that is not allowed.
SPELLING
    zonekit accepts (with the "uscc_form" warning), stdnum rejects. Both forgive lower case,
    spaces and full-width digits; zonekit also reads full-width letters (ＭＡ), any whitespace
    inside the code (a tab, a line break typed with Alt+Enter) and invisible characters
    (U+200B …), which stdnum keeps and then finds outside the alphabet.

Not a difference but a stdnum bug worked around: when the eighth character (after `compact`) is
a line break, `is_valid` raises ValueError instead of returning False (its `^[0-9]+$` lets a
final "\n" through, then the check digit looks "\n" up in the alphabet). `stdnum_accepts`
counts that as a rejection, and only that case.
"""

from __future__ import annotations

import random

from stdnum import util as stdnum_util
from stdnum.cn import uscc as stdnum_uscc

from zonekit.fields.cellvalues import (
    USCC_ALPHABET,
    check_uscc,
    make_uscc,
    said,
    uscc_canonical,
    uscc_check_digit,
    uscc_ok,
    usccs_ok,
)

N = 100_000
SEED = 32100_2015
DIGITS = "0123456789"
ILLEGAL = "IOSVZ"
DEPARTMENTS = "123456789ANY"  # department codes in use (GB 32100-2015 and later additions)
SPACES = [" ", "\u3000", "\u00a0", "\t", "\n"]
DASHES = ["-", "\u2013", "\uff0d"]  # hyphen-minus, en dash, full-width hyphen-minus
INVISIBLE = ["\u200b", "\ufeff"]
FULL_WIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}
FULL_WIDTH_LETTERS = {chr(c + 0xFEE0) for c in range(0x41, 0x5B)}

ORG_CHECK, HEAD_LETTER, SEPARATOR, SPELLING = "ORG_CHECK", "HEAD_LETTER", "SEPARATOR", "SPELLING"


def _valid(rng: random.Random) -> str:
    department = rng.choice(DEPARTMENTS) if rng.random() < 0.85 else rng.choice(USCC_ALPHABET)
    category = rng.choice("12339") if rng.random() < 0.9 else rng.choice(USCC_ALPHABET)
    region = "".join(rng.choices(DIGITS, k=6))
    return make_uscc(department + category + region, "".join(rng.choices(USCC_ALPHABET, k=8)))


def _random(rng: random.Random) -> str:
    """18 characters over the alphabet; usually with the final check character right, so that
    stdnum accepts many of them and zonekit's other checks decide."""
    region_alphabet = DIGITS if rng.random() < 0.7 else USCC_ALPHABET
    first17 = "".join(rng.choices(USCC_ALPHABET, k=2) + rng.choices(region_alphabet, k=6)
                      + rng.choices(USCC_ALPHABET, k=9))
    if rng.random() < 0.25:
        return first17 + rng.choice(USCC_ALPHABET)
    return first17 + uscc_check_digit(first17)


def _mutate(rng: random.Random, code: str) -> str:
    for _ in range(rng.choice((1, 1, 1, 2))):
        kind = rng.randrange(10)
        pos = rng.randrange(len(code) + 1)
        if kind == 0 and code:  # replace a character
            i = min(pos, len(code) - 1)
            code = code[:i] + rng.choice(USCC_ALPHABET + ILLEGAL) + code[i + 1:]
        elif kind == 1 and len(code) > 1:  # swap two neighbours
            i = min(pos, len(code) - 2)
            code = code[:i] + code[i + 1] + code[i] + code[i + 2:]
        elif kind == 2 and code:  # drop one
            code = code[:pos] + code[pos + 1:]
        elif kind == 3:  # one too many
            code = code[:pos] + rng.choice(USCC_ALPHABET) + code[pos:]
        elif kind == 4:  # lower case, all or part
            code = code.lower() if rng.random() < 0.5 else code[:pos] + code[pos:].lower()
        elif kind == 5:  # a space inside or around
            code = code[:pos] + rng.choice(SPACES) + code[pos:]
        elif kind == 6:  # full-width, all or some characters
            code = "".join(FULL_WIDTH.get(ch, ch) if rng.random() < 0.6 else ch for ch in code)
        elif kind == 7:  # a dash
            code = code[:pos] + rng.choice(DASHES) + code[pos:]
        elif kind == 8:  # an invisible character
            code = code[:pos] + rng.choice(INVISIBLE) + code[pos:]
        else:  # a letter in the region code
            i = rng.randrange(2, 8)
            code = code[:i] + rng.choice("ABCDEFGHJKLMNPQRTUWXY") + code[i + 1:]
    return code


def codes(n: int = N, seed: int = SEED) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        r = rng.random()
        if r < 0.3:
            out.append(_random(rng))
        elif r < 0.55:
            out.append(_valid(rng))
        else:
            out.append(_mutate(rng, _valid(rng)))
    return out


def stdnum_accepts(code: str) -> bool:
    try:
        return stdnum_uscc.is_valid(code)
    except ValueError:  # the line-break bug of the docstring
        compact = stdnum_uscc.compact(code)
        assert len(compact) == 18 and compact[7] == "\n", repr(code)
        return False


def zonekit_accepts(code: str) -> bool:
    if uscc_ok(code):
        return True
    problem = check_uscc(code)
    return problem is None or problem.code == "uscc_form"


def reason(code: str) -> str | None:
    """Which documented difference explains a disagreement on `code`, or None."""
    canonical = uscc_canonical(code)
    if zonekit_accepts(code):  # and stdnum rejects
        assert uscc_ok(canonical)
        if not canonical[:2].isdigit():
            return HEAD_LETTER
        assert stdnum_accepts(canonical)  # it rejects only the way `code` is written
        odd = set(stdnum_uscc.compact(code)) - set(USCC_ALPHABET)
        if odd and all(ch in FULL_WIDTH_LETTERS or ch.isspace() or ch in INVISIBLE for ch in odd):
            return SPELLING
        return None
    compact = stdnum_uscc.compact(code)  # what stdnum checked, and accepted
    problem = check_uscc(compact)
    if problem is not None and said(problem)[0] == "org_check_digit":
        return ORG_CHECK
    if problem is None and "-" in stdnum_util.clean(code):
        return SEPARATOR
    return None


def test_zonekit_and_stdnum_differ_only_where_documented():
    sample = codes()
    unexplained: list[tuple[str, bool, bool]] = []
    counts = {ORG_CHECK: 0, HEAD_LETTER: 0, SEPARATOR: 0, SPELLING: 0}
    accepted = {"both": 0, "neither": 0}
    for code in sample:
        ours, theirs = zonekit_accepts(code), stdnum_accepts(code)
        if ours == theirs:
            accepted["both" if ours else "neither"] += 1
            continue
        why = reason(code)
        if why is None:
            unexplained.append((code, ours, theirs))
        else:
            counts[why] += 1
    assert not unexplained, f"{len(unexplained)} unexplained, e.g. (code, zonekit, stdnum): {unexplained[:10]}"
    # both outcomes are common, and every documented difference actually occurs
    assert accepted["both"] > N // 5 and accepted["neither"] > N // 5, accepted
    assert all(n > 100 for n in counts.values()), counts


def test_the_sample_is_seeded():
    assert codes(50) == codes(50)
    assert codes(50) != codes(50, seed=SEED + 1)


def test_documented_examples():
    # one of each difference, spelled out
    n2 = make_uscc("N2440300", "MA5G001Q")  # 村级集体经济组织: real, a letter in position 1
    assert zonekit_accepts(n2) and not stdnum_uscc.is_valid(n2) and reason(n2) == HEAD_LETTER
    wrong17 = "91440300MA5G001Q0"
    wrong17 += uscc_check_digit(wrong17)  # position 18 right for a wrong position 17
    assert stdnum_uscc.is_valid(wrong17) and not zonekit_accepts(wrong17) and reason(wrong17) == ORG_CHECK
    dashed = "91440300-MA5G001QX2"
    assert stdnum_uscc.is_valid(dashed) and not zonekit_accepts(dashed) and reason(dashed) == SEPARATOR
    wide = "91440300ＭＡ5Ｇ001ＱＸ2"
    assert zonekit_accepts(wide) and not stdnum_uscc.is_valid(wide) and reason(wide) == SPELLING
    # and where they agree: the region code, spaces and lower case
    assert not zonekit_accepts("9144A300MA5G001QX2") and not stdnum_uscc.is_valid("9144A300MA5G001QX2")
    assert zonekit_accepts("9144 0300 ma5g 001q x2") and stdnum_uscc.is_valid("9144 0300 ma5g 001q x2")


def test_column_check_on_the_sample():
    # the whole-column fast path says of the sample what the per-code check says
    sample = codes(5000)
    fine = [c for c in sample if uscc_ok(c)]
    assert fine and usccs_ok(fine)
    assert all((check_uscc(c) is None) == uscc_ok(c) for c in sample)
    assert not usccs_ok(fine + [next(c for c in sample if not uscc_ok(c))])
