"""The Darkpool scanner's cog."""

from bot.alerts import Scanner
from cogs.scanners.base import ScannerCog


class DarkpoolCog(ScannerCog, name="Darkpool"):
    scanner = Scanner.DARKPOOL
    looks_for = "large off-exchange blocks, and the day's price level they print at"


setup = DarkpoolCog.setup_extension
