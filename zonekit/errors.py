"""Every error zonekit raises on purpose derives from `ZonekitError`.

The CLI catches the base class once, prints the one-line message on stderr and exits with the
error's `exit_code`. Nothing here formats output for a terminal.
"""

from __future__ import annotations


class ZonekitError(Exception):
    """Base class. `str(error)` is a one-line message for a person (Chinese first)."""

    exit_code = 2


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
