"""Every error zonekit raises on purpose derives from `ZonekitError`.

The CLI catches the base class once, prints the one-line message on stderr and exits with the
error's `exit_code`. Nothing here formats output for a terminal.
"""

from __future__ import annotations


class ZonekitError(Exception):
    """Base class. `str(error)` is a one-line message for a person in Chinese; `en`, where the
    raiser gives it, is the same in English (`text("en")` falls back to the Chinese)."""

    exit_code = 2

    def __init__(self, message: str, en: str | None = None) -> None:
        super().__init__(message)
        self.en = en

    def text(self, lang: str = "zh") -> str:
        return self.en or str(self) if lang == "en" else str(self)


class SpecError(ZonekitError):
    """Raised when a programme spec cannot be read or breaks the meta-schema (names file and key)."""


class UnknownProgramme(ZonekitError):
    """Raised when a programme id is not among the known specs (lists them, suggests the closest)."""


class PacketError(ZonekitError):
    """Raised when a folder is not a readable zonekit packet (no/invalid packet.toml)."""


class InvalidOption(ZonekitError):
    """Raised when a command-line value does not fit the programme (e.g. `init --unit` naming a unit it does
    not know)."""


class TargetExists(ZonekitError):
    """Raised when `init` would write into a non-empty folder without --force."""


class UnsafePath(ZonekitError):
    """Raised when a path leads outside the packet or through a symlink."""


class BundleRefused(ZonekitError):
    """Raised when `bundle` finds errors and --draft was not given."""

    exit_code = 1
