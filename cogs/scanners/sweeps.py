"""The Sweeps scanner's cog."""

from bot.alerts import Scanner
from cogs.scanners.base import ScannerCog


class SweepsCog(ScannerCog, name="Sweeps"):
    scanner = Scanner.SWEEPS
    looks_for = "orders swept across several exchanges at once"


setup = SweepsCog.setup_extension
