"""The Bullseye scanner's cog."""

from bot.alerts import Scanner
from cogs.scanners.base import ScannerCog


class BullseyeCog(ScannerCog, name="Bullseye"):
    scanner = Scanner.BULLSEYE
    looks_for = "near-the-money swing setups with volume well above open interest"


setup = BullseyeCog.setup_extension
