"""pantau: monitoring Indonesian news coverage of digital-literacy campaigns."""

__version__ = "0.1.0"
