"""JobDesk: an offline-first job manager for trades companies."""

__version__ = "0.1.0"
