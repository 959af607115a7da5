"""ShipCaptainCrew: the day of an event, on the dock and in the office."""

__version__ = "0.1.0"
