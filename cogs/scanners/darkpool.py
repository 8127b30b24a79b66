"""The Darkpool scanner's cog."""

from bot.alerts import Scanner
from cogs.scanners.base import ScanResult, StockScannerCog


class DarkpoolCog(StockScannerCog, name="Darkpool"):
    scanner = Scanner.DARKPOOL
    looks_for = "large off-exchange blocks, and the day's price level they print at"

    async def scan(self) -> ScanResult:
        report = await self.services.stocks.scan_darkpool()
        return ScanResult(report.prints, report.alerts)


setup = DarkpoolCog.setup_extension
