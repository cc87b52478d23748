"""zonekit.sniff on real files: what the first bytes say, whatever the name says."""

from __future__ import annotations

import zipfile
from pathlib import Path

from openpyxl import Workbook

from zonekit import sniff


def test_containers_by_content_not_name(tmp_path: Path) -> None:
    xlsx = tmp_path / "信息表-最终版.pdf"  # a workbook renamed .pdf
    Workbook().save(xlsx)
    pdf = tmp_path / "scan.xlsx"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n")
    text = tmp_path / "notes.xls"
    text.write_text("<html><table><tr><td>1</td></tr></table></html>", "utf-8")
    assert sniff.container(sniff.head(xlsx)) == "zip"
    assert sniff.container(sniff.head(pdf)) == "pdf"
    assert sniff.container(sniff.head(text)) is None
    assert sniff.zip_has(xlsx, "[Content_Types].xml") and not sniff.zip_has(xlsx, "mimetype")
    assert not sniff.zip_has(pdf, "[Content_Types].xml")


def test_ole_encryption_is_told_by_its_streams(tmp_path: Path) -> None:
    plain = tmp_path / "old.xls"
    plain.write_bytes(sniff.OLE + b"\0" * 504 + "Workbook".encode("utf-16-le") + b"\0" * 1000)
    encrypted = tmp_path / "locked.xlsx"
    encrypted.write_bytes(sniff.OLE + b"\0" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 64
                          + "EncryptedPackage".encode("utf-16-le") + b"\0" * 1000)
    assert sniff.container(sniff.head(plain)) == sniff.container(sniff.head(encrypted)) == "ole"
    assert not sniff.ole_encrypted(plain)
    assert sniff.ole_encrypted(encrypted)
    assert not sniff.ole_encrypted(tmp_path / "absent.xlsx")


def test_a_truncated_zip_has_no_members(tmp_path: Path) -> None:
    whole = tmp_path / "whole.docx"
    with zipfile.ZipFile(whole, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "x" * 5000)
    cut = tmp_path / "cut.docx"
    cut.write_bytes(whole.read_bytes()[:200])
    assert sniff.zip_has(whole, "[Content_Types].xml")
    assert sniff.container(sniff.head(cut)) == "zip" and not sniff.zip_has(cut, "[Content_Types].xml")
