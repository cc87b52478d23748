"""Every demo bundle as it prints (issue 13): one page-number sequence, tables that read, documents
laid out as GB/T 9704 lays them out. Each sample's `zonekit bundle … --date` output is read back
from the PDF (pypdf text runs; word boxes from poppler's `pdftotext -bbox`) and its docx."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from .conftest import AS_OF, ROOT, SAMPLES, run_cli, soffice_or_skip

DEMOS = sorted(p.name for p in SAMPLES.glob("*-demo") if (p / "packet.toml").is_file())
MM = 72 / 25.4
PAGE_NUMBER = re.compile(r"^\s*[—–-]\s*(\d{1,4})\s*[—–-]\s*$")  # — 7 —, as zonekit stamps it
OTHER_NUMBER = re.compile(r"^\s*(?:第\s*\d{1,4}\s*页.*|\d{1,4}\s*/\s*\d{1,4}|\d{1,3})\s*$")  # 第3页, 3/10, a bare 3
FOOT, HEAD = 0.12, 0.93  # bands (share of the page height) where printed page numbers live
SEAL = re.compile(r"[（(]\s*[盖签]?\s*公?\s*章\s*[）)]\s*[:：]")
ASCII_RUN = re.compile(r"[!-~]{4,}")  # a date, a credit code, an amount, floors: never broken in print


def as_of(demo: str) -> str:
    expected = ROOT / "tests" / "expected" / f"{demo.removesuffix('-demo')}-broken.json"
    if expected.is_file():
        return json.loads(expected.read_text("utf-8"))["as_of"]
    return AS_OF.isoformat()


@dataclass
class Printed:
    demo: str
    pdf: Path
    docx: Path
    reader: PdfReader
    parts: list[tuple[str, int, int]]  # outline: title, first page, last page

    def runs(self, page: int) -> list[tuple[str, float, float, float]]:
        """(text, x, y, size) of every text run drawn on `page` (1-based)."""
        out: list[tuple[str, float, float, float]] = []

        def visit(text, cm, tm, font, size):  # noqa: ANN001
            if text.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                out.append((text.strip(), x, y, float(size) * abs(cm[3] or 1)))

        self.reader.pages[page - 1].extract_text(visitor_text=visit)
        return out

    def text(self, page: int) -> str:
        return self.reader.pages[page - 1].extract_text()

    def height(self, page: int) -> float:
        return float(self.reader.pages[page - 1].mediabox.height)

    def width(self, page: int) -> float:
        return float(self.reader.pages[page - 1].mediabox.width)

    def numbers(self, page: int) -> list[str]:
        """The page numbers printed on `page`: zonekit's — n — anywhere, other styles in the head or foot."""
        h = self.height(page)
        found = []
        for text, _, y, _ in self.runs(page):
            if PAGE_NUMBER.match(text) or ((y < FOOT * h or y > HEAD * h) and OTHER_NUMBER.match(text)):
                found.append(text)
        return found


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> dict[str, Printed]:
    soffice_or_skip()
    out: dict[str, Printed] = {}
    for demo in DEMOS:
        target = tmp_path_factory.mktemp(demo)
        r = run_cli("bundle", str(SAMPLES / demo), "-o", str(target), "--date", as_of(demo))
        assert r.returncode == 0, r.stdout + r.stderr
        reader = PdfReader(target / "申报材料.pdf")
        starts = [(item.title, reader.get_destination_page_number(item) + 1) for item in _flat(reader.outline)]
        starts.sort(key=lambda s: s[1])
        parts = [(title, first, (starts[i + 1][1] - 1 if i + 1 < len(starts) else len(reader.pages)))
                 for i, (title, first) in enumerate(starts)]
        out[demo] = Printed(demo, target / "申报材料.pdf", target / "申报材料.docx", reader, parts)
    return out


def _flat(outline):  # noqa: ANN001, ANN202
    for item in outline:
        if isinstance(item, list):
            yield from _flat(item)
        else:
            yield item


def _words(pdf: Path, page: int) -> list[tuple[str, float, float, float, float]]:
    """(word, xMin, yMin, xMax, yMax) from `pdftotext -bbox` (y downwards from the top)."""
    if not shutil.which("pdftotext"):
        pytest.skip("poppler's pdftotext not installed")
    xml = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    word = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
    return [(html.unescape(text), float(x0), float(y0), float(x1), float(y1))
            for x0, y0, x1, y1, text in word.findall(xml)]


# --------------------------------------------------------------------------- one page-number sequence


def test_every_page_after_the_cover_carries_exactly_its_own_number(printed):
    for demo, b in printed.items():
        assert b.numbers(1) == [], (demo, "the cover counts as page 1 but prints no number")
        for page in range(2, len(b.reader.pages) + 1):
            assert b.numbers(page) == [f"— {page} —"], (demo, page, b.numbers(page))


def test_numbers_sit_at_the_outer_edge_of_the_text_area(printed):
    """Odd pages right, even pages left, one character in from the text area (GB/T 9704 7.5)."""
    for demo, b in printed.items():
        for page in range(2, len(b.reader.pages) + 1):
            [(text, x, y, size)] = [r for r in b.runs(page) if PAGE_NUMBER.match(r[0])]
            assert size == 14 and y == pytest.approx(26 * MM, abs=1), (demo, page)
            if page % 2 == 0:
                assert x == pytest.approx(28 * MM + 14, abs=1), (demo, page)
            else:
                assert x > b.width(page) / 2, (demo, page)


def test_contents_numbers_are_the_printed_numbers(printed):
    for demo, b in printed.items():
        toc = next(p for p in b.parts if p[0] == "目录")
        entries = []
        for page in range(toc[1], toc[2] + 1):
            lines: dict[int, list[tuple[float, str]]] = {}
            for text, x, y, _ in b.runs(page):
                lines.setdefault(round(y), []).append((x, text))
            pending = ""  # an entry too long for one line goes on under it
            for _, row in sorted(lines.items(), reverse=True):
                line = pending + "".join(t for _, t in sorted(row))
                m = re.match(r"^(.*?)…+(\d+)$", line)
                if m:
                    entries.append((m[1], int(m[2])))
                pending = "" if m or re.fullmatch(r"目\s*录", line) else line
        assert entries, demo
        for title, number in entries:
            assert b.numbers(number) == [f"— {number} —"], (demo, title, number)
            part = next((p for p in b.parts if p[0] == title), None)
            assert part is not None and part[1] == number, (demo, title, number, part)


# --------------------------------------------------------------------------- tables that read


def _docx_tables(path: Path) -> list[list[list[str]]]:
    import docx

    return [[[c.text for c in row.cells] for row in t.rows] for t in docx.Document(str(path)).tables]


def _table_pages(b: Printed) -> list[int]:
    """Pages zonekit laid a table on (the parts after a divider that are not user files)."""
    pages = []
    for title, first, last in b.parts:
        if title in ("封面", "目录") or " — " in title or re.match(r"^[一二三四五六七八九十]+、", title):
            continue
        pages += range(first, last + 1)
    return pages


def test_enterprise_table_prints_every_credit_code_and_date_unbroken(printed):
    from zonekit.check.runner import check_packet

    b = printed["sz-building-demo"]
    report = check_packet(SAMPLES / "sz-building-demo", as_of=AS_OF)
    columns = report.forms["enterprises"].columns
    codes = [str(v) for v in columns["uscc"] if v]
    dates = [v.isoformat() if hasattr(v, "isoformat") else str(v) for v in columns["entered"] if v]
    assert len(codes) == 12 and len(dates) == 12
    title, first, last = next(p for p in b.parts
                              if p[0].endswith("入驻金融企业信息表") and p[0][0] not in "一二三四五六七八九十")
    text = "\n".join(b.text(page) for page in range(first, last + 1))
    for value in codes + dates:
        assert value in text, (value, "broken across lines or missing")
    if shutil.which("pdftotext"):  # and as a print shop's text export sees them
        layout = subprocess.run(["pdftotext", "-layout", "-f", str(first), "-l", str(last), str(b.pdf), "-"],
                                capture_output=True, text=True, check=True).stdout
        for value in codes + dates:
            assert value in layout, value


def test_values_of_every_table_form_are_never_broken(printed):
    """Dates, codes, amounts, floors, phone numbers — every Latin run of four or more characters in
    a table cell (as the docx has it; e-mail and web addresses aside) is found whole in the PDF."""
    for demo, b in printed.items():
        text = "\n".join(b.text(page) for page in _table_pages(b))
        flat = text.replace("\n", "")
        for table in _docx_tables(b.docx):
            for row in table[1:]:
                for cell in row:
                    for value in ASCII_RUN.findall(cell):
                        # an address may break at its signs
                        if "@" not in value and "://" not in value and value in flat:
                            assert value in text, (demo, value)


def test_header_row_repeats_on_every_page_of_a_table(printed):
    for demo, b in printed.items():
        headers = [[c for c in table[0] if c] for table in _docx_tables(b.docx) if len(table) > 1]
        for page in _table_pages(b):
            flat = re.sub(r"\s", "", b.text(page))
            if "序号" not in flat and "编号" not in flat:
                continue  # a record form or a note page
            assert any(all(re.sub(r"\s", "", label) in flat for label in header) for header in headers), (demo, page)


def test_nothing_overprints(printed):
    """No two words on a generated page overlap: rows and cells never run into each other."""
    for demo, b in printed.items():
        for page in _table_pages(b):
            words = _words(b.pdf, page)
            for i, (w1, ax0, ay0, ax1, ay1) in enumerate(words):
                for w2, bx0, by0, bx1, by1 in words[i + 1:]:
                    overlap_x = min(ax1, bx1) - max(ax0, bx0)
                    overlap_y = min(ay1, by1) - max(ay0, by0)
                    assert overlap_x < 1 or overlap_y < 1, (demo, page, w1, w2)


def test_enterprise_table_fills_its_first_page(printed):
    """A table that goes on to the next page leaves less room at the foot than its next row needs."""
    b = printed["sz-building-demo"]
    title, first, last = next(p for p in b.parts
                              if p[0].endswith("入驻金融企业信息表") and p[0][0] not in "一二三四五六七八九十")
    if first == last:
        return  # all on one page
    words = _words(b.pdf, first)
    bottom = max(w[4] for w in words if not PAGE_NUMBER.match(w[0]) and w[0] not in "—")
    frame_bottom = b.height(first) - 35 * MM
    rows_next = sorted({round(w[2]) for w in _words(b.pdf, first + 1) if re.fullmatch(r"\d{1,3}", w[0])})
    row_height = rows_next[1] - rows_next[0] if len(rows_next) > 1 else 40
    assert frame_bottom - bottom < row_height + 6, (bottom, frame_bottom, row_height)


# --------------------------------------------------------------------------- documents as GB/T 9704 lays them out


def test_titles_are_centred_in_2hao(printed):
    """The divider pages' titles (2号, 22 pt) and the converted reports' titles are centred on the text area."""
    for demo, b in printed.items():
        checked = 0
        for page in range(3, len(b.reader.pages) + 1):
            big = [r for r in b.runs(page) if r[3] >= 21.5]
            if not big:
                continue
            lines: dict[int, list[tuple[str, float, float]]] = {}  # the title's lines: big words by baseline
            title = "".join(r[0] for r in big)
            words = _words(b.pdf, page)
            tallest = max(w[4] - w[2] for w in words)
            for word, x0, y0, x1, y1 in words:
                if word in title and y1 - y0 > 0.9 * tallest:  # the title's words are the tallest on the page
                    lines.setdefault(round(y1), []).append((word, x0, x1))
            for words in lines.values():
                left = 28 * MM
                centre = left + (b.width(page) - left - 26 * MM) / 2
                middle = (min(x0 for _, x0, _ in words) + max(x1 for _, _, x1 in words)) / 2
                assert middle == pytest.approx(centre, abs=3), (demo, page, "".join(w for w, _, _ in words))
                checked += 1
            assert all(r[3] == pytest.approx(22, abs=0.5) for r in big), (demo, page)
        assert checked >= 2, demo


def test_body_text_is_3hao(printed):
    """Paragraph text of the Word reports (converted) and of zonekit's own pages is 16 pt (3号)."""
    for demo, b in printed.items():
        sizes: dict[float, int] = {}
        for title, first, last in b.parts:
            if not title.endswith(".docx"):
                continue
            for page in range(first, last + 1):
                for text, _, _, size in b.runs(page):
                    if len(text) >= 4 and not PAGE_NUMBER.match(text):
                        sizes[round(size, 1)] = sizes.get(round(size, 1), 0) + len(text)
        if sizes:
            assert max(sizes, key=sizes.get) == 16, (demo, sizes)


def test_seal_block_is_never_alone_on_its_page(printed):
    for demo, b in printed.items():
        for page in range(1, len(b.reader.pages) + 1):
            runs = b.runs(page)
            if not any(SEAL.search(text) for text, *_ in runs):
                continue
            other = [text for text, *_ in runs
                     if not SEAL.search(text) and not PAGE_NUMBER.match(text) and not re.search(r"年.*月.*日", text)
                     and len(re.sub(r"[\s（）()：:，。、]", "", text)) >= 4]
            assert other, (demo, page, "the seal line stands alone")


def test_docx_tables_lay_their_columns_out_from_the_content(printed):
    """The Word file's tables: the header row repeats on every page, rows never break across pages,
    and every column holds its widest date, code or amount on one line."""
    import docx
    from docx.oxml.ns import qn

    from zonekit.document.docx import CELL_MARGIN_PT, text_measure

    for demo, b in printed.items():
        for table in docx.Document(str(b.docx)).tables:
            rows = table._tbl.tr_lst
            if not all(r.find(qn("w:rPr")) is not None and r.find(qn("w:rPr")).find(qn("w:b")) is not None
                       for r in rows[0].iter(qn("w:r"))):
                continue  # no bold header row: a record form's label/value grid
            grid = [int(g.get(qn("w:w"))) / 20 for g in table._tbl.tblGrid.findall(qn("w:gridCol"))]
            assert rows[0].trPr.find(qn("w:tblHeader")) is not None, demo
            assert all(r.trPr.find(qn("w:cantSplit")) is not None for r in rows), demo
            for row in rows[1:]:
                col = 0
                for tc in row.tc_lst:
                    spans = tc.tcPr.find(qn("w:gridSpan"))
                    span = int(spans.get(qn("w:val"))) if spans is not None else 1
                    text = "".join(t.text or "" for t in tc.iter(qn("w:t")))
                    size = next((int(s.get(qn("w:val"))) / 2 for s in tc.iter(qn("w:sz"))), 9)
                    for value in ASCII_RUN.findall(text):
                        if "@" not in value and "://" not in value:
                            room = sum(grid[col:col + span]) + 0.5
                            assert text_measure(size)(value) + 2 * CELL_MARGIN_PT <= room, (demo, value)
                    col += span
