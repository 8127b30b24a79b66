"""The Golden Sweeps scanner's cog."""

from bot.alerts import Scanner
from cogs.scanners.base import ScannerCog


class GoldenSweepsCog(ScannerCog, name="Golden Sweeps"):
    scanner = Scanner.GOLDEN_SWEEPS
    looks_for = "the largest sweeps, with the strike close to the stock price"


setup = GoldenSweepsCog.setup_extension
