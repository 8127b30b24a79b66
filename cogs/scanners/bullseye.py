"""The Bullseye scanner's cog."""

from bot.alerts import Scanner
from cogs.scanners.base import OptionsScannerCog


class BullseyeCog(OptionsScannerCog, name="Bullseye"):
    scanner = Scanner.BULLSEYE
    looks_for = "near-the-money swing setups with volume well above open interest"


setup = BullseyeCog.setup_extension
