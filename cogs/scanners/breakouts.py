"""The Breakouts scanner's cog."""

from bot.alerts import Scanner
from cogs.scanners.base import ScannerCog


class BreakoutsCog(ScannerCog, name="Breakouts"):
    scanner = Scanner.BREAKOUTS
    looks_for = "prices breaking their prior high or low on unusual volume"


setup = BreakoutsCog.setup_extension
