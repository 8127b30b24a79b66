"""The Sweeps scanner's cog."""

from bot.alerts import Scanner
from cogs.scanners.base import OptionsScannerCog


class SweepsCog(OptionsScannerCog, name="Sweeps"):
    scanner = Scanner.SWEEPS
    looks_for = "orders swept across several exchanges at once"


setup = SweepsCog.setup_extension
