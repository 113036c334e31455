"""singleview: one customer behind every channel, one live timeline."""

__version__ = "0.1.0"
