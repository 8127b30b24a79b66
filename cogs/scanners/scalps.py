"""The Scalps scanner's cog."""

from bot.alerts import Scanner
from cogs.scanners.base import ScannerCog


class ScalpsCog(ScannerCog, name="Scalps"):
    scanner = Scanner.SCALPS
    looks_for = "short-dated flow near the money, confirmed by 5-minute candles and RSI"


setup = ScalpsCog.setup_extension
