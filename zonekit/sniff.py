"""What a file is, from its first bytes: the one place zonekit knows the magic numbers.

A file's name says what a person called it; its first bytes say what it is. Workbooks, Word files,
PDFs and images are all looked at this way before any parser sees them (`zonekit.xlsx.reader`,
`zonekit.check.materials`, `zonekit.document.office`). Only the standard library is imported.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Compound File (.xls/.doc/.et/.wps; encrypted OOXML too)
ZIP = b"PK\x03\x04"  # OOXML (.xlsx/.docx), ODF (.ods/.odt)
PDF = b"%PDF"
PNG = b"\x89PNG\r\n\x1a\n"
JPEG = b"\xff\xd8\xff"
# the streams an encrypted OOXML file carries inside its OLE container (MS-OFFCRYPTO 2.3.4)
_ENCRYPTION_STREAMS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
_ENCRYPTION_SCAN = 2 * 1024 * 1024  # the directory of a real encrypted file sits well inside this


def head(path: Path, size: int = 8) -> bytes:
    """The first `size` bytes of `path` (OSError as open raises it)."""
    with path.open("rb") as f:
        return f.read(size)


def container(first: bytes) -> str | None:
    """"ole", "zip", "pdf", "png" or "jpeg" for a file starting with `first`; None for anything else."""
    for name, magic in (("ole", OLE), ("zip", ZIP), ("pdf", PDF), ("png", PNG), ("jpeg", JPEG)):
        if first.startswith(magic):
            return name
    return None


def ole_encrypted(path: Path) -> bool:
    """An OLE file holding a password-protected OOXML package (what Excel/WPS write with 打开密码)."""
    try:
        with path.open("rb") as f:
            data = f.read(_ENCRYPTION_SCAN)
    except OSError:
        return False
    return any(stream in data for stream in _ENCRYPTION_STREAMS)


def zip_has(path: Path, member: str) -> bool:
    """`path` is a readable zip holding `member` ([Content_Types].xml for OOXML, mimetype for ODF)."""
    try:
        with zipfile.ZipFile(path) as z:
            return member in z.NameToInfo
    except (zipfile.BadZipFile, OSError, zlib.error, EOFError):
        return False
