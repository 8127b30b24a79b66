"""The options scanners, one pure module each; `OPTIONS_SCANNERS` is their registry."""

from bot.alerts.model import Scanner
from bot.scanners.base import OptionsScanner
from bot.scanners.bullseye import BullseyeScanner
from bot.scanners.flow import FlowScanner
from bot.scanners.golden_sweeps import GoldenSweepsScanner
from bot.scanners.scalps import ScalpsScanner
from bot.scanners.sweeps import SweepsScanner

OPTIONS_SCANNERS: dict[Scanner, type[OptionsScanner]] = {
    scanner.name: scanner
    for scanner in (FlowScanner, SweepsScanner, GoldenSweepsScanner, BullseyeScanner, ScalpsScanner)
}
