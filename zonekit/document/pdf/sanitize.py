"""Checks and clean-up applied to every user PDF before it is merged.

Pages that are not A4 are reported (and kept as they are); document, page, annotation and form
field actions that run something (JavaScript, Launch, …), XFA forms and attached files are
removed. The helpers work on pypdf and pikepdf objects alike. Opening a file (passwords, damaged
files) is each output engine's `append`; the messages both engines give are here.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from pypdf.generic import ArrayObject, DictionaryObject, NameObject, PdfObject

from zonekit.document.pdf.geometry import A4_H, A4_TOLERANCE, A4_W, MM
from zonekit.findings import Said

ACTIVE_ACTIONS = ("/JavaScript", "/Launch", "/ImportData", "/RichMediaExecute")

MSG_NOT_A4 = Said("页面尺寸不是A4", "pages are not A4")
MSG_SCRIPTS = Said("已删除PDF中的脚本/附件", "scripts and attached files were removed from the PDF")
MSG_OWNER_PASSWORD = Said("PDF设有权限密码，已解除限制后合并；请确认该文件允许打印",
                          "the PDF has a permissions password: its restrictions were lifted to merge it; "
                          "make sure the file may be printed")
# why a user PDF could not be merged (either engine), said after "PDF" / "the PDF"
MSG_UNREADABLE = Said("文件不存在或无法读取", "does not exist or cannot be read")
MSG_ENCRYPTED = Said("已加密（需要打开密码）", "is encrypted (it needs a password to open)")
MSG_AES = Said("使用AES加密，缺少解密组件（cryptography）",
               "is AES-encrypted and the component to decrypt it (cryptography) is not installed")
MSG_NO_PAGES = Said("没有页面", "has no pages")


def damaged(error: str) -> Said:
    """A user PDF that cannot be opened (`error`: the exception's name)."""
    return Said(f"已损坏或无法读取（{error}）", f"is damaged or cannot be read ({error})")


def broken(error: str) -> Said:
    """A user PDF that opened but broke while merged."""
    return Said(f"无法读取（{error}）", f"cannot be read ({error})")


def box_size(box: Any) -> tuple[float, float]:
    """Width and height of a PDF box (/MediaBox: x0 y0 x1 y1), with either engine's objects."""
    x0, y0, x1, y1 = (float(v) for v in box)
    return x1 - x0, y1 - y0


def _is_a4(w: float, h: float) -> bool:
    short, long_ = sorted((abs(w), abs(h)))
    return abs(short - A4_W) <= A4_TOLERANCE and abs(long_ - A4_H) <= A4_TOLERANCE


def check_sizes(warn: Callable[[Said], None], sizes: list[tuple[float, float]]) -> None:
    """`warn` once for a user PDF with pages that are not A4 (how many, and the first), which are kept as they are."""
    odd = [(i, size) for i, size in enumerate(sizes, 1) if not _is_a4(*size)]
    if odd:
        first, (w, h) = odd[0]
        size = f"{abs(w) / MM:.0f}×{abs(h) / MM:.0f} mm"
        warn(Said(f"{MSG_NOT_A4.zh}（{len(odd)}页，如第{first}页 {size}），已按原样保留",
                  f"{MSG_NOT_A4.en} ({len(odd)} of them, e.g. page {first}: {size}); they are kept as they are"))


# The helpers below work on pypdf and pikepdf objects alike (dict-like, `in`, `get`, `del`).


def _deref(obj: Any) -> Any:
    """The object an indirect reference points to (pypdf); pikepdf dereferences by itself.

    (No hasattr() on pikepdf objects: a missing attribute raises ValueError there.)
    """
    return obj.get_object() if isinstance(obj, PdfObject) else obj


def _is_dict(obj: Any) -> bool:
    if isinstance(obj, DictionaryObject):
        return True
    pikepdf = sys.modules.get("pikepdf")
    return pikepdf is not None and isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream))


def _same_kind_array(like: Any, items: list[Any]) -> Any:
    pikepdf = sys.modules.get("pikepdf")
    if pikepdf is not None and isinstance(like, pikepdf.Object):
        return pikepdf.Array(items)
    return ArrayObject(items)


def _identity(obj: Any) -> Any:
    objgen = getattr(obj, "objgen", None)  # pikepdf wrappers are new Python objects on every access
    return objgen if objgen and objgen != (0, 0) else id(obj)


def has_active_catalog(root: Any) -> bool:
    """Whether a PDF's catalog runs something on opening or carries scripts or attached files."""
    if "/AA" in root:
        return True
    action = root.get("/OpenAction")
    if action is not None and _is_dict(_deref(action)):
        if _deref(action).get("/S") in ACTIVE_ACTIONS:
            return True
    names = root.get("/Names")
    names = _deref(names) if names is not None else {}
    return "/JavaScript" in names or "/EmbeddedFiles" in names


def strip_active_page(page: Any) -> bool:
    """Remove a page's actions and attached files (in place); whether there were any."""
    found = False
    if "/AA" in page:
        del page["/AA"]
        found = True
    annots = page.get("/Annots")
    if annots is None:
        return found
    annots = _deref(annots)
    kept = []
    for ref in annots:
        annot = _deref(ref)
        if not _is_dict(annot):
            continue
        if annot.get("/Subtype") == "/FileAttachment":
            found = True
            continue
        found |= _strip_actions(annot)
        kept.append(ref)
    page[NameObject("/Annots")] = _same_kind_array(annots, kept)
    return found


def _strip_actions(obj: Any) -> bool:
    found = False
    if "/AA" in obj:
        del obj["/AA"]
        found = True
    action = obj.get("/A")
    if action is not None and _is_dict(_deref(action)):
        if _deref(action).get("/S") in ACTIVE_ACTIONS:
            del obj["/A"]
            found = True
    return found


def strip_active_fields(acroform: Any) -> bool:
    """Remove XFA and the form fields' actions (in place); whether there were any."""
    if acroform is None:
        return False
    acroform = _deref(acroform)
    if not _is_dict(acroform):
        return False
    found = False
    if "/XFA" in acroform:
        del acroform["/XFA"]
        found = True
    fields = acroform.get("/Fields")
    stack = list(_deref(fields)) if fields is not None else []
    seen: set[Any] = set()
    while stack:
        field_obj = _deref(stack.pop())
        if _identity(field_obj) in seen or not _is_dict(field_obj):
            continue
        seen.add(_identity(field_obj))
        found |= _strip_actions(field_obj)
        kids = field_obj.get("/Kids")
        stack.extend(_deref(kids) if kids is not None else [])
    return found
