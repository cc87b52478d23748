"""The sentences of an eligibility tree and its verdict, in Chinese or English, made from data.

`rules.Result` holds what a condition found (`says` and its `figures`), `runner.CheckReport` the
results; what a person reads is made here, for the language asked, so `--lang en` is English
throughout. The spec writes condition titles and fact labels in Chinese: English shows a
condition's `title_en` when the spec gives one, else its id, and a fact by its `label_en`
(`figures["name_en"]`), else its dotted path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zonekit.check.rules import show

_SIGN: dict[str, str | tuple[str, str]] = {
    ">=": "≥", "<=": "≤", "==": "=", "!=": "≠", ">": ">", "<": "<", "in": ("属于", "in")}
_NEGATION: dict[str, str | tuple[str, str]] = {
    ">=": "<", ">": "≤", "<=": ">", "<": "≥", "==": "≠", "!=": "=", "in": ("不属于", "not in")}
# English units. Money is said in CNY, in millions or billions (3.12亿元 -> "CNY 312 million", 12.5亿元 ->
# "CNY 1.25 billion", 8000万元 -> "CNY 80 million"); counts and measures by an English word after the
# figure, singular for 1 (5家 -> "5 firms", 3年 -> "3 years"); 个 is a bare count (6个 -> "6").
_EN_MONEY = {"元": 1, "万元": 10_000, "亿元": 100_000_000}
_EN_UNITS: dict[str, tuple[str, str]] = {
    "m2": (" m²", " m²"), "平方米": (" m²", " m²"), "km2": (" km²", " km²"), "平方公里": (" km²", " km²"),
    "%": ("%", "%"), "家": (" firm", " firms"), "个": ("", ""), "年": (" year", " years"), "人": (" person", " people"),
    "分": (" point", " points"), "项": (" item", " items"), "月": (" month", " months"), "天": (" day", " days"),
    "个百分点": (" percentage point", " percentage points"),
}
_EN_USD = {"美元": 1, "万美元": 10_000, "亿美元": 100_000_000}


def _money(yuan: float, currency: str = "CNY") -> str:
    for size, word in ((1e12, " trillion"), (1e9, " billion"), (1e6, " million")):
        if abs(yuan) >= size:
            return f"{currency} {show(yuan / size, {})}{word}"
    return f"{currency} {show(yuan, {})}"


def figure_en(number: float, unit: str) -> str:
    """A number in a spec's Chinese unit, said in English: 3.12亿元 -> "CNY 312 million", 5家 -> "5 firms"."""
    if unit in _EN_MONEY:
        return _money(number * _EN_MONEY[unit])
    if unit in _EN_USD:
        return _money(number * _EN_USD[unit], "USD")
    text = show(number, {})
    one, many = _EN_UNITS.get(unit, (f" {unit}", f" {unit}"))
    return text + (one if text == "1" else many)


def _figure(value: Any, test: dict[str, Any], en: bool) -> str:
    """A figure as `rules.show` writes it; in English with yes/no, CNY and English units (`_EN_UNITS`)."""
    if not en:
        return show(value, test)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(_figure(v, test, en) for v in value)
    unit = test.get("show_unit") or test.get("unit", "")
    if not isinstance(value, int | float) or not unit:
        return show(value, test)
    return figure_en(value * test.get("show_factor", 1), unit)


def _sign(op: str, ok: bool, en: bool) -> str:
    sign = _SIGN.get(op, op) if ok else _NEGATION.get(op, "≠")
    return sign if isinstance(sign, str) else sign[en]


def _name(f: dict[str, Any], en: bool) -> str:
    """A fact by its name: the spec's label, in English its `label_en` (else its dotted path)."""
    return (f.get("name_en") or f["fact"]) if en else f["name"]


def title(result: Any, lang: str = "zh") -> str:
    """A condition's title: the spec's, or in English its `title_en` (else its id)."""
    return (result.title_en or result.id) if lang == "en" else result.title


def _compare(f: dict[str, Any], en: bool) -> str:
    t = f["test"]
    text = f"{_name(f, en)} {_figure(f['left'], t, en)} {_sign(f['op'], f['ok'], en)} {_figure(f['right'], t, en)}"
    return text + _suffix(f, en)


def _filled(f: dict[str, Any], en: bool) -> str:
    return (f"{_name(f, en)} is filled in" if en else f"{f['name']}已填写") + _suffix(f, en)


def _empty(f: dict[str, Any], en: bool) -> str:
    return (f"{_name(f, en)} is empty" if en else f"{f['name']}未填写") + _suffix(f, en)


def _suffix(f: dict[str, Any], en: bool) -> str:
    if f.get("committed"):
        return ", committed to be reached within 3 years of recognition" if en else "，已承诺认定后3年内达到"
    if "gap" in f:
        gap = _figure(f["gap"], f["test"], en)
        return f", {gap} short" if en else f"，差 {gap}"
    return ""


def _band(f: dict[str, Any], en: bool) -> str:
    t = f["test"]
    text = f"{_name(f, en)} {_figure(f['value'], t, en)}{': ' if en else '：'}{f['band_en' if en else 'band']}"
    if "better" not in f:
        return text
    least, gap = _figure(f["min"], t, en), _figure(f["min"] - f["value"], t, en)
    return text + (f"; {gap} short of '{f['better_en']}' (≥{least})" if en else f"，距“{f['better']}”（≥{least}）还差 "
                                                                             f"{gap}")


def _part(c: Any, en: bool) -> str:
    detail = detail_text(c, "en" if en else "zh")
    if not detail:
        return title(c, "en" if en else "zh")
    return f"{title(c, 'en')} ({detail})" if en else f"{c.title}（{detail}）"


def _parts(f: dict[str, Any], en: bool) -> str:
    return ("; " if en else "；").join(_part(c, en) for c in f["parts"])


def _any_met(f: dict[str, Any], en: bool) -> str:
    lang = "en" if en else "zh"
    parts = [f"{title(c, lang)} ({detail_text(c, lang)})" if en else f"{c.title}（{detail_text(c, lang)}）"
             for c in f["parts"]]
    return ("met: " if en else "满足：") + ("; " if en else "；").join(parts)


def _none_met(f: dict[str, Any], en: bool) -> str:
    details = [d for c in f["parts"] if (d := detail_text(c, "en" if en else "zh"))]
    return ("none of these is met: " if en else "以下条件均未满足：") + ("; " if en else "；").join(details)


_DETAILS: dict[str, Callable[[dict[str, Any], bool], str]] = {
    "": lambda f, en: "",
    "attested": lambda f, en: "attested" if en else "已确认",
    "not_attested": lambda f, en: "not attested yet (in the sheet 申报信息)" if en else "尚未确认（申报信息）",
    "unreadable": lambda f, en: f"{_name(f, en)} is empty or cannot be read" if en else f"{f['name']}未填写或无法读取",
    "no_data": lambda f, en: "the data needed to decide is missing" if en else "缺少判断所需的数据",
    "compare": _compare,
    "filled": _filled,
    "empty": _empty,
    "band": _band,
    "any_met": _any_met,
    "none_met": _none_met,
    "parts": _parts,
    "as": lambda f, en: detail_text(f["part"], "en" if en else "zh"),
}


def detail_text(result: Any, lang: str = "zh") -> str:
    """What a condition's result says: which figures, compared how; which paths hold."""
    return _DETAILS[result.says](result.figures, lang == "en")


def verdict(results: list[Any], lang: str = "zh") -> str:
    """The verdict on a packet's eligibility, from its conditions' results."""
    statuses = [r.status for r in results if r.status != "not_applicable"]
    en = lang == "en"
    if not statuses:
        return "no conditions" if en else "本项目没有可自动判断的条件"
    if "unmet" in statuses:
        missed = ("; " if en else "；").join(title(r, lang) for r in results if r.status == "unmet")
        return f"not eligible: {missed}" if en else f"不符合申报条件：{missed}"
    if "unknown" in statuses:
        return "cannot decide: data missing" if en else "无法判断：缺少数据（见上方所列问题）"
    paths = ("; " if en else "；").join(d for r in results if r.children and r.status in ("met", "met_by_commitment")
                                       and (d := detail_text(r, lang)))
    notes = [_NOTES[s][en] for s in ("met_by_commitment", "in_principle", "outcome") if s in statuses]
    head = "eligible" if en else "符合申报条件"
    said = (f" ({paths})" if en else f"（{paths}）") if paths else ""
    return head + said + ("; " if en else "；").join(["", *notes])


_NOTES = {
    "met_by_commitment": ("部分条件以承诺方式满足，需提交承诺函", "partly by commitment"),
    "in_principle": ("“原则上”条件未达到，需在申请报告中说明理由", "an in-principle threshold is missed: justify it"),
    "outcome": ("自评分低于列入档次（档次以专家评估为准，不是申报条件）",
                "the self-assessed score is below the listed bands (the experts decide)"),
}
