"""ORAKL: large and unusual US options and stock flow, posted to Discord."""

__version__ = "0.1.0"
