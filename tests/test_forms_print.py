"""Generated xlsx forms print where people print them: through LibreOffice (`soffice --headless --convert-to pdf`,
which prints every visible sheet) on A4 in the form's orientation, the official labels on the page, helper sheets
never printed, and rows tall enough for their wrapped text (LibreOffice keeps the height a row was written with)."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from zonekit.document.office import convert_to_pdf
from zonekit.scaffold import init_packet
from zonekit.spec.programme import list_programmes, load_programme
from zonekit.xlsx.form_writer import fit_row_heights, wrapped_lines
from zonekit.xlsx.names import AUX_NOTE, AUX_SHEET

from .conftest import SAMPLES, soffice_or_skip

CHECKLIST = "材料清单.xlsx"
# pages of each freshly generated (empty) form printed through LibreOffice; Shenzhen's 附件1 and 附件2 are one page
PAGES = {
    ("g60-park", "附件1 评估指标.xlsx"): 3,  # 28 indicators with 8 subtotals, header repeated on each page
    ("g60-park", "园区基本信息表.xlsx"): 1,
    ("miit-pilot", "附件2 定量指标统计表.xlsx"): 2,
    ("qiantang", "附件4 目标量化清单进展.xlsx"): 4,  # every 序号 split into single targets, long 责任单位 lists
    ("qiantang", "附件5 重大改革平台项目进展.xlsx"): 3,  # 21 items whose 情况 texts run to several lines
    ("sz-base", "附件1 申报表.xlsx"): 1,
    ("sz-base", "附件2 入驻金融企业信息表.xlsx"): 1,
    ("sz-building", "附件1 申报表.xlsx"): 1,
    ("sz-building", "附件2 入驻金融企业信息表.xlsx"): 1,
    ("sz-district", "附件1 申报表.xlsx"): 1,
    ("sz-district", "附件2 入驻金融企业信息表.xlsx"): 1,
    ("zone3553", "申报主体基本情况表.xlsx"): 1,
    ("zone3553", "特色小镇情况表.xlsx"): 1,
    ("zone3553", "战略合作金融机构名单.xlsx"): 1,
    **{(p, CHECKLIST): 1
       for p in ("g60-park", "miit-pilot", "qiantang", "sz-base", "sz-building", "sz-district", "zone3553")},
}
ENTERPRISES = "02_入驻金融企业信息表/附件2 入驻金融企业信息表.xlsx"


def _poppler_or_skip() -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed: apt-get install poppler-utils")
    if shutil.which("fc-list") and not subprocess.run(["fc-list", ":lang=zh"], capture_output=True,
                                                      text=True).stdout.strip():
        pytest.skip("no Chinese font installed: LibreOffice cannot print the labels (apt-get install fonts-noto-cjk)")


def _words(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Words per page with their boxes (xMin, yMin, xMax, yMax, text), from `pdftotext -bbox`."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = []
    for page in out.split("<page ")[1:]:
        pages.append([(float(a), float(b), float(c), float(d), html.unescape(t)) for a, b, c, d, t in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page)])
    return pages


def _cell_texts(words: list[tuple[float, float, float, float, str]]) -> list[str]:
    """Join the lines of wrapped cells: a word and the word right below it in the same column are one text."""
    parent = list(range(len(words)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(words):
        for j, b in enumerate(words):
            gap = b[1] - a[3]
            overlap = min(a[2], b[2]) - max(a[0], b[0])
            if -0.5 <= gap <= 0.8 * (a[3] - a[1]) + 1 and overlap >= 0.5 * min(a[2] - a[0], b[2] - b[0]):
                parent[root(j)] = root(i)
    groups: dict[int, list[tuple[float, float, float, float, str]]] = {}
    for i, w in enumerate(words):
        groups.setdefault(root(i), []).append(w)
    return ["".join(w[4] for w in sorted(g, key=lambda w: (round(w[1]), w[0]))) for g in groups.values()]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _overprinted(words: list[tuple[float, float, float, float, str]]) -> list[tuple[str, str]]:
    """Pairs of words drawn over each other: text of one row running into the next."""
    bad = []
    for i, a in enumerate(words):
        for b in words[i + 1:]:
            if min(a[2], b[2]) - max(a[0], b[0]) > 0.5 and min(a[3], b[3]) - max(a[1], b[1]) > 0.5:
                bad.append((a[4], b[4]))
    return bad


def _labels(form: dict) -> list[str]:
    """What the notice prints on the form: its attachment label, title, header lines, field/column labels, seals."""
    labels = [form.get("attachment", ""), form["title"], form.get("header_left", "")]
    labels += [f["label"] for f in form.get("fields", [])] + [s["left"] for s in form.get("seals", [])]
    labels += [c["label"] for c in form.get("columns", [])]
    if form.get("total"):
        labels.append(form["total"]["label"])
    labels += [str(r["cells"][form["row_key"]]) for r in form.get("rows", []) if form.get("row_key") in r["cells"]]
    return [_squash(x) for x in labels if x and x.strip()]


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> dict[tuple[str, str], tuple[Path, Path, dict | None]]:
    """Every programme `init`-ed, every generated xlsx converted in one LibreOffice run:
    {(programme, file name): (xlsx, pdf, form spec or None for the checklist)}."""
    soffice = soffice_or_skip()
    base = tmp_path_factory.mktemp("print")
    sources: dict[tuple[str, str], tuple[Path, dict | None]] = {}
    for pid in list_programmes():
        prog = load_programme(pid)
        init_packet(prog, base / pid)
        sources[(pid, CHECKLIST)] = (base / pid / CHECKLIST, None)
        for form in prog.forms:
            folder = prog.material_of_form(form["id"])["folder"]
            sources[(pid, form["file"])] = (base / pid / folder / form["file"], form)
    results = convert_to_pdf([p for p, _ in sources.values()], base / "pdf", soffice=soffice, timeout=300)
    out = {}
    for key, (xlsx, form) in sources.items():
        pdf = results[xlsx]
        assert isinstance(pdf, Path), pdf
        out[key] = (xlsx, pdf, form)
    return out


def test_every_programme_form_is_covered(printed):
    assert set(printed) == set(PAGES), set(printed) ^ set(PAGES)


def test_page_counts_and_a4_in_the_forms_orientation(printed):
    got = {key: len(PdfReader(pdf).pages) for key, (_, pdf, _) in printed.items()}
    wrong = {key: (n, PAGES.get(key)) for key, n in got.items() if n != PAGES.get(key)}
    # more pages than expected: often a sheet zonekit adds that prints (keep it out with form_writer.never_print)
    assert not wrong, {f"{p}/{f}": {"pages": n, "expected": e, "sheets": load_workbook(printed[(p, f)][0]).sheetnames}
                       for (p, f), (n, e) in wrong.items()}
    for key, (_, pdf, form) in printed.items():
        landscape = form is None or bool(form.get("landscape"))  # the checklist is landscape
        for page in PdfReader(pdf).pages:
            w, h = float(page.mediabox.width), float(page.mediabox.height)
            assert sorted((round(w), round(h))) == [595, 842], key
            assert (w > h) == landscape, key


def test_official_labels_are_on_the_page_and_helper_sheets_are_not(printed):
    _poppler_or_skip()
    for key, (_, pdf, form) in printed.items():
        pages = _words(pdf)
        text = _squash(" ".join(w[4] for page in pages for w in page))
        cells = {t for page in pages for t in _cell_texts(page)}
        # the helper sheet never prints
        assert _squash(AUX_NOTE)[:12] not in text and "是否持牌金融机构" not in text, key
        if form is None:
            continue
        missing = [label for label in _labels(form) if label not in text and not any(label in c for c in cells)]
        assert not missing, (key, missing)


def test_fresh_shenzhen_form2_prints_one_page_without_its_helper_sheet(printed):
    _poppler_or_skip()
    xlsx, pdf, _ = printed[("sz-building", "附件2 入驻金融企业信息表.xlsx")]
    assert len(PdfReader(pdf).pages) == 1  # it used to be 3: the form, the helper sheet, a blank page
    wb = load_workbook(xlsx)
    aux = wb[AUX_SHEET]
    assert aux.sheet_state == "visible"  # it has to be filled in, so it stays on screen ...
    assert "不输出" in aux["A1"].value and "不属于官方表格" in aux["A1"].value  # ... and says it does not print
    nothing = aux.print_area.split("!")[-1].replace("$", "")
    assert ":" not in nothing and aux[nothing].value is None  # its print area is one empty cell
    ws = wb["附件2 入驻金融企业信息表"]
    # blank rows: Excel/WPS grow them while typing
    assert [ws.row_dimensions[r].height for r in range(5, 25)] == [None] * 20


def _demo_rows() -> list[list[object]]:
    """The sz-building demo's 附件2 rows as a person (or a script) would type them: columns B–K of rows 5–16."""
    ws = load_workbook(SAMPLES / "sz-building-demo" / ENTERPRISES)["附件2 入驻金融企业信息表"]
    return [[ws.cell(r, c).value for c in range(2, 12)] for r in range(5, 25) if ws.cell(r, 3).value]


def test_filled_form2_rows_grow_with_their_wrapped_text(tmp_path):
    root = tmp_path / "p"
    init_packet(load_programme("sz-building"), root)
    path = root / ENTERPRISES
    rows = _demo_rows()
    long_name = "深港跨境金融科技服务有限公司前海深港现代服务业合作区分公司第一营业部"  # three lines in 金融企业名称
    rows.append([rows[0][0], long_name, "营业部", *rows[-1][3:9], "91440300MA5G013Q0X"])
    wb = load_workbook(path)
    ws = wb["附件2 入驻金融企业信息表"]
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            ws.cell(5 + i, 2 + j, value)
    plain = tmp_path / "plain.xlsx"
    wb.save(plain)
    fit_row_heights(ws)
    wb.save(path)

    width = ws.column_dimensions["C"].width
    lines = {r: wrapped_lines(ws.cell(r, 3).value, width, 10) for r in range(5, 5 + len(rows))}
    # 前湾财产保险股份有限公司深圳分公司 wraps; the long name twice
    assert lines[7] == 2 and lines[5 + len(rows) - 1] == 3
    heights = {r: ws.row_dimensions[r].height for r in lines}
    for r, n in lines.items():
        assert heights[r] >= n * 1.35 * 10, (r, n, heights[r])  # 10 pt text, lines 1.35 em apart
    assert heights[5 + len(rows) - 1] > heights[7]
    assert ws.row_dimensions[5 + len(rows)].height is None  # the blank rows below are untouched
    assert ws.row_dimensions[4].height == 60  # a height set on purpose never shrinks

    soffice = soffice_or_skip()
    _poppler_or_skip()
    pdfs = convert_to_pdf([path, plain], tmp_path / "pdf", soffice=soffice, timeout=240)
    pages = _words(pdfs[path])
    assert len(pages) == 1
    assert not _overprinted(pages[0]), _overprinted(pages[0])
    cells = _cell_texts(pages[0])
    for name in ("前湾财产保险股份有限公司深圳分公司", long_name):
        assert any(name in c for c in cells), name
    assert _squash(AUX_NOTE)[:12] not in _squash(" ".join(w[4] for w in pages[0]))
