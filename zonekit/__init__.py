"""zonekit — prepare and validate application packets for Chinese public programmes."""

__version__ = "0.1.0"
