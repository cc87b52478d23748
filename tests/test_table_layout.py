"""zonekit.document.model's table text layout, shared by the PDF and docx renderers: line breaks that never
cut a value, column widths from the content."""

from __future__ import annotations

import pytest

from zonekit.document.model import break_lines, fit_columns, unbreakable_width


def em(text: str) -> float:
    """A monospaced measure: Chinese 1, anything else ½ (points at size 1)."""
    return sum(0.5 if ch.isascii() else 1.0 for ch in text)


@pytest.mark.parametrize("text,width,lines", [
    ("经营期限2015-03-18至2035-03-17", 8, ["经营期限", "2015-03-18至", "2035-03-17"]),
    ("深圳市福田区福华三路88号1-3层", 6, ["深圳市福田区", "福华三路88号", "1-3层"]),
    ("统一社会信用代码91440300MA5G001QX2", 10, ["统一社会信用代码", "91440300MA5G001QX2"]),
    ("华南商业银行股份有限公司深圳分行", 7, ["华南商业银行股", "份有限公司深圳", "分行"]),
])
def test_lines_break_between_chinese_characters_never_inside_a_value(text: str, width: float, lines: list[str]) -> None:
    assert break_lines(text, width, em) == lines


def test_closing_punctuation_never_starts_a_line_and_opening_never_ends_one() -> None:
    assert break_lines("一二三四，五六", 4, em) == ["一二三", "四，五六"]
    assert break_lines("一二三（四五）", 4, em) == ["一二三", "（四五）"]


def test_a_run_wider_than_the_line_is_cut_at_its_signs_first() -> None:
    assert break_lines("lim@fuhua-ops.example.cn", 8, em) == ["lim@fuhua-ops.", "example.cn"]
    assert all(em(line) <= 8 for line in break_lines("x" * 50, 8, em))
    assert break_lines("第一行\n第二行", 10, em) == ["第一行", "第二行"]


def test_unbreakable_width() -> None:
    assert unbreakable_width("进驻时间2015-03-18", em) == 5
    assert unbreakable_width("序号", em, header=True) == 2
    assert unbreakable_width("序号", em) == 1


def test_columns_fit_their_values_and_share_the_rest_by_content() -> None:
    header = [("序号", 1), ("企业名称", 1), ("进驻时间", 1), ("统一社会信用代码", 1)]
    rows = [header] + [[(str(i), 1), ("深圳市某某金融服务股份有限公司" * (1 + i % 2), 1), ("2015-03-18", 1),
                        ("91440300MA5G001QX2", 1)] for i in range(20)]
    widths = fit_columns(rows, 60, em, pad=0.5, header_rows=1)
    assert widths is not None and sum(widths) == pytest.approx(60)
    assert widths[2] >= em("2015-03-18") + 1 and widths[3] >= em("91440300MA5G001QX2") + 1
    assert widths[1] == max(widths)  # the long names get what is left
    everything = fit_columns(rows[:2], 200, em, pad=0.5, header_rows=1)
    assert everything is not None and sum(everything) == pytest.approx(200)  # all on one line, room spread
    assert fit_columns(rows, 20, em, pad=0.5, header_rows=1) is None  # the values alone are wider: caller shrinks


def test_spanned_cells_get_their_room_across_their_columns() -> None:
    rows = [[("合计", 2), ("91440300MA5G001QX2", 1)], [("1", 1), ("a", 1), ("b", 1)]]
    widths = fit_columns(rows, 40, em, pad=0, header_rows=0)
    assert widths is not None and widths[0] + widths[1] >= 2 and widths[2] >= 9
