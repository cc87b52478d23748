"""manifest.json: what a bundle was made of and what it made, with the SHA-256 of every file, so that
`zonekit verify` can prove later that the printed bundle and the packet are the ones checked."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zonekit import __version__
from zonekit.bundle.parts import file_entry
from zonekit.fsutil import sha256_file, write_text

MANIFEST = "manifest.json"


def manifest(result: Any, prog: Any, root: Path, date: Any, font: Any, inputs: list[dict[str, Any]]) -> dict[str, Any]:
    """The manifest of a rendered bundle (`result`, a zonekit.bundle.build.BundleResult): the spec, the
    check's verdict, the font, every input with the pages that print it, both outputs."""
    report = result.report
    pages_of = {p["title"]: (p["start"], p["end"]) for p in result.parts}
    return {
        "zonekit": __version__,
        "programme": prog.id,
        "spec_version": prog.version,
        "spec_sha256": prog.sha256,
        "date": date.isoformat(),
        "draft": result.draft,
        "packet": str(root.resolve()),
        "check": {"ok": report.ok, "counts": report.counts(), "verdict": report.verdict()},
        "font": {"name": font.name, "embedded": font.embedded, "note": font.note},
        "incomplete": result.incomplete,
        "warnings": [{"where": w, "message": said.zh, "message_en": said.en} for w, said in result.warnings],
        "inputs": [{**entry, "pages": pages_of.get(entry.pop("part"), None)} for entry in inputs],
        "outputs": [file_entry(result.pdf, result.out, pages=[1, result.pages]), file_entry(result.docx, result.out)],
    }


def write_manifest(path: Path, data: dict[str, Any]) -> None:
    """manifest.json, written atomically (indented UTF-8 JSON, as people read it)."""
    write_text(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n", overwrite=True)


@dataclass
class VerifyResult:
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    checked: int = 0
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.changed and not self.missing


def verify(out: Path, packet: Path | None = None) -> VerifyResult:
    """Every output in `out` and every input in the packet (`packet`, else the one the manifest names)
    still has the size and SHA-256 the manifest gives."""
    from zonekit.errors import PacketError

    path = out / MANIFEST
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as e:
        raise PacketError(f"{path} 无法读取：{e}（不是 zonekit bundle 的输出目录？）",
                          f"{path} cannot be read: {e} (is it not a folder written by zonekit bundle?)") from e
    result = VerifyResult(manifest=data)
    packet = packet or Path(data.get("packet", ""))
    for base, entries in ((out, data.get("outputs", [])), (packet, data.get("inputs", []))):
        for entry in entries:
            p = base / entry["path"]
            result.checked += 1
            if not p.is_file():
                result.missing.append(str(p))
            elif p.stat().st_size != entry["size"] or sha256_file(p) != entry["sha256"]:
                result.changed.append(str(p))
    return result
