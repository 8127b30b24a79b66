"""The ORAKL Flow scanner's cog."""

from bot.alerts import Scanner
from cogs.scanners.base import ScannerCog


class FlowCog(ScannerCog, name="ORAKL Flow"):
    scanner = Scanner.FLOW
    looks_for = "repeated buying in one contract within the hour, likely to finish in the money"


setup = FlowCog.setup_extension
