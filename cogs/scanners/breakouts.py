"""The Breakouts scanner's cog."""

from bot.alerts import Scanner
from cogs.scanners.base import ScanResult, StockScannerCog


class BreakoutsCog(StockScannerCog, name="Breakouts"):
    scanner = Scanner.BREAKOUTS
    looks_for = "prices breaking their prior high or low on unusual volume"

    async def scan(self) -> ScanResult:
        report = await self.services.stocks.scan_breakouts()
        return ScanResult(report.symbols, report.alerts)


setup = BreakoutsCog.setup_extension
