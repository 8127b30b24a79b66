"""Reference data the simulator serves and prints with: venues and trade conditions.

Stock venues and the stock conditions' names and update rules follow Polygon's published
reference data (`/v3/reference/exchanges`, `/v3/reference/conditions`); a SIP mapping the
simulator is not sure of is left empty rather than guessed. Options venues use
Polygon's ids, 300 plus the OPRA participant letter's place in the alphabet (302 Cboe "C",
308 ISE "I", 316 Nasdaq "Q"); options conditions are OPRA's last-sale types as ids 201-248.
"""

from __future__ import annotations

from typing import Any

# --- venues -------------------------------------------------------------------------------

# (id, type, name, acronym, mic, operating_mic, participant_id, url)
_STOCK_VENUES: tuple[tuple[int, str, str, str | None, str | None, str, str, str], ...] = (
    (1, "exchange", "NYSE American, LLC", "AMEX", "XASE", "XNYS", "A", "https://www.nyse.com/markets/nyse-american"),
    (2, "exchange", "Nasdaq OMX BX, Inc.", None, "XBOS", "XNAS", "B", "https://www.nasdaq.com/solutions/nasdaq-bx-stock-market"),
    (3, "exchange", "NYSE National, Inc.", "NSX", "XCIS", "XNYS", "C", "https://www.nyse.com/markets/nyse-national"),
    (4, "TRF", "FINRA NYSE TRF", None, "FINY", "XNYS", "D", "https://www.finra.org"),
    (4, "TRF", "FINRA Nasdaq TRF Carteret", None, "FINN", "FINR", "D", "https://www.finra.org"),
    (4, "TRF", "FINRA Nasdaq TRF Chicago", None, "FINC", "FINR", "D", "https://www.finra.org"),
    (4, "TRF", "FINRA Alternative Display Facility", None, "XADF", "FINR", "D", "https://www.finra.org"),
    (5, "SIP", "Unlisted Trading Privileges", None, None, "XNAS", "E", "https://www.utpplan.com"),
    (6, "TRF", "International Securities Exchange, LLC - Stocks", None, "XISE", "XNAS", "I", "https://nasdaq.com/solutions/nasdaq-ise"),
    (7, "exchange", "Cboe EDGA", None, "EDGA", "XCBO", "J", "https://www.cboe.com/us/equities"),
    (8, "exchange", "Cboe EDGX", None, "EDGX", "XCBO", "K", "https://www.cboe.com/us/equities"),
    (9, "exchange", "NYSE Chicago, Inc.", None, "XCHI", "XNYS", "M", "https://www.nyse.com/markets/nyse-chicago"),
    (10, "exchange", "New York Stock Exchange", None, "XNYS", "XNYS", "N", "https://www.nyse.com"),
    (11, "exchange", "NYSE Arca, Inc.", None, "ARCX", "XNYS", "P", "https://www.nyse.com/markets/nyse-arca"),
    (12, "exchange", "Nasdaq", None, "XNAS", "XNAS", "T", "https://www.nasdaq.com"),
    (13, "SIP", "Consolidated Tape Association", None, None, "XNYS", "S", "https://www.nyse.com/data/cta"),
    (14, "exchange", "Long-Term Stock Exchange", None, "LTSE", "LTSE", "L", "https://www.ltse.com"),
    (15, "exchange", "Investors Exchange", None, "IEXG", "IEXG", "V", "https://www.iextrading.com"),
    (16, "TRF", "Cboe Stock Exchange", None, "CBSX", "XCBO", "W", "https://www.cboe.com"),
    (17, "exchange", "Nasdaq Philadelphia Exchange LLC", None, "XPHL", "XNAS", "X", "https://www.nasdaq.com/solutions/nasdaq-phlx"),
    (18, "exchange", "Cboe BYX", None, "BATY", "XCBO", "Y", "https://www.cboe.com/us/equities"),
    (19, "exchange", "Cboe BZX", None, "BATS", "XCBO", "Z", "https://www.cboe.com/us/equities"),
    (20, "exchange", "MIAX Pearl", None, "EPRL", "MIHI", "H", "https://www.miaxoptions.com/alerts/pearl-equities"),
    (21, "exchange", "Members Exchange", None, "MEMX", "MEMX", "U", "https://www.memx.com"),
)  # fmt: skip

# (id, name, acronym, mic, operating_mic, participant_id, url)
_OPTION_VENUES: tuple[tuple[int, str, str | None, str, str, str, str], ...] = (
    (300, "NYSE American Options", "AMXO", "AMXO", "XNYS", "A", "https://www.nyse.com/markets/american-options"),
    (301, "Boston Options Exchange", "BOX", "XBOX", "XBOX", "B", "https://boxoptions.com"),
    (302, "Chicago Board Options Exchange", None, "XCBO", "XCBO", "C", "https://www.cboe.com"),
    (303, "MIAX Emerald, LLC", "EMLD", "EMLD", "MIHI", "D", "https://www.miaxoptions.com/exchange-overview/emerald"),
    (304, "Cboe EDGX Options", "EDGO", "EDGO", "XCBO", "E", "https://www.cboe.com/us/options"),
    (307, "Nasdaq GEMX", "GMNI", "GMNI", "XNAS", "H", "https://www.nasdaq.com/solutions/nasdaq-gemx"),
    (308, "International Securities Exchange, LLC", "ISE", "XISX", "XISX", "I", "https://www.nasdaq.com/solutions/nasdaq-ise"),
    (309, "Nasdaq MRX", "MRX", "MCRY", "XNAS", "J", "https://www.nasdaq.com/solutions/nasdaq-mrx"),
    (312, "Miami International Securities Exchange", "MIAX", "XMIO", "MIHI", "M", "https://www.miaxoptions.com"),
    (313, "NYSE Arca Options", "ARCO", "ARCO", "XNYS", "N", "https://www.nyse.com/markets/arca-options"),
    (315, "MIAX Pearl", "MPRL", "MPRL", "MIHI", "P", "https://www.miaxoptions.com/exchange-overview/pearl"),
    (316, "Nasdaq Options Market", "NOM", "XNDQ", "XNAS", "Q", "https://www.nasdaq.com/solutions/nasdaq-options-market"),
    (318, "MIAX Sapphire", "SPHR", "SPHR", "MIHI", "S", "https://www.miaxoptions.com/exchange-overview/sapphire"),
    (319, "Nasdaq BX Options", "BXO", "XBXO", "XNAS", "T", "https://www.nasdaq.com/solutions/nasdaq-bx-options"),
    (320, "MEMX Options", "MXOP", "MXOP", "MEMX", "U", "https://memx.com/options"),
    (322, "Cboe C2 Options", "C2", "C2OX", "XCBO", "W", "https://www.cboe.com/us/options"),
    (323, "Nasdaq PHLX", "PHLX", "XPHL", "XNAS", "X", "https://www.nasdaq.com/solutions/nasdaq-phlx"),
    (325, "Cboe BZX Options", "BZX", "BATO", "XCBO", "Z", "https://www.cboe.com/us/options"),
)  # fmt: skip

OPTION_VENUES: tuple[int, ...] = tuple(row[0] for row in _OPTION_VENUES)
LIT_STOCK_VENUES: tuple[int, ...] = tuple(
    row[0] for row in _STOCK_VENUES if row[1] == "exchange" and row[0] != 14
)
DARK_VENUE = 4  # FINRA's trade reporting facilities all report as exchange 4
TRF_IDS: tuple[int, ...] = (201, 202, 203)


def exchanges(asset_class: str | None, locale: str | None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if asset_class in (None, "stocks"):
        for id_, type_, name, acronym, mic, operating_mic, participant, url in _STOCK_VENUES:
            row: dict[str, Any] = {
                "id": id_,
                "type": type_,
                "asset_class": "stocks",
                "locale": "us",
                "name": name,
            }
            if acronym:
                row["acronym"] = acronym
            if mic:
                row["mic"] = mic
            row |= {"operating_mic": operating_mic, "participant_id": participant, "url": url}
            rows.append(row)
    if asset_class in (None, "options"):
        for id_, name, acronym, mic, operating_mic, participant, url in _OPTION_VENUES:
            row = {"id": id_, "type": "exchange", "asset_class": "options", "locale": "us", "name": name}
            if acronym:
                row["acronym"] = acronym
            row |= {"mic": mic, "operating_mic": operating_mic, "participant_id": participant, "url": url}
            rows.append(row)
    return [row for row in rows if locale in (None, row["locale"])]


# --- trade conditions ---------------------------------------------------------------------

# Update rules as (high/low, open/close, volume), consolidated then market-center.
_ALL = (True, True, True)
_VOLUME_ONLY = (False, False, True)
_NO_LAST = (True, False, True)
_NOTHING = (False, False, False)

# (id, name, sip_mapping, consolidated, market_center, legacy)
_STOCK_CONDITIONS: tuple[tuple[int, str, dict[str, str], tuple[bool, bool, bool], tuple[bool, bool, bool], bool], ...] = (
    (1, "Acquisition", {"UTP": "A"}, _ALL, _ALL, False),
    (2, "Average Price Trade", {"CTA": "B", "UTP": "W"}, _VOLUME_ONLY, _VOLUME_ONLY, False),
    (3, "Automatic Execution", {"CTA": "E"}, _ALL, _ALL, False),
    (4, "Bunched Trade", {"UTP": "B"}, _ALL, _ALL, False),
    (5, "Bunched Sold Trade", {"UTP": "G"}, _NO_LAST, _NO_LAST, False),
    (6, "CAP Election", {"CTA": "I"}, _ALL, _ALL, True),
    (7, "Cash Sale", {"CTA": "C", "UTP": "C"}, _VOLUME_ONLY, _VOLUME_ONLY, False),
    (8, "Closing Prints", {"UTP": "6"}, _ALL, _ALL, False),
    (9, "Cross Trade", {"CTA": "X", "UTP": "X"}, _ALL, _ALL, False),
    (10, "Derivatively Priced", {"CTA": "4", "UTP": "4"}, _NO_LAST, _NO_LAST, False),
    (11, "Distribution", {}, _ALL, _ALL, False),
    (12, "Form T", {"CTA": "T", "UTP": "T"}, _VOLUME_ONLY, _VOLUME_ONLY, False),
    (13, "Extended Trading Hours (Sold Out of Sequence)", {"CTA": "U", "UTP": "U"}, _VOLUME_ONLY, _VOLUME_ONLY, False),
    (14, "Intermarket Sweep", {"CTA": "F", "UTP": "F"}, _ALL, _ALL, False),
    (15, "Market Center Official Close", {"UTP": "M"}, _NOTHING, (True, True, False), False),
    (16, "Market Center Official Open", {"UTP": "Q"}, _NOTHING, (True, True, False), False),
    (17, "Market Center Opening Trade", {}, _ALL, _ALL, False),
    (18, "Market Center Reopening Trade", {"CTA": "5", "UTP": "5"}, _ALL, _ALL, False),
    (19, "Market Center Closing Trade", {}, _ALL, _ALL, False),
    (20, "Next Day", {"CTA": "N", "UTP": "N"}, _VOLUME_ONLY, _VOLUME_ONLY, False),
    (21, "Price Variation Trade", {"CTA": "H", "UTP": "H"}, _VOLUME_ONLY, _VOLUME_ONLY, False),
    (22, "Prior Reference Price", {"CTA": "P", "UTP": "P"}, _NO_LAST, _NO_LAST, False),
    (29, "Seller", {"CTA": "R", "UTP": "R"}, _VOLUME_ONLY, _VOLUME_ONLY, False),
    (30, "Sold Last", {"CTA": "L", "UTP": "L"}, _ALL, _ALL, False),
    (32, "Sold (Out Of Sequence)", {"CTA": "Z", "UTP": "Z"}, _NO_LAST, _NO_LAST, False),
    (35, "Stock Option", {}, _ALL, _ALL, False),
    (37, "Odd Lot Trade", {"CTA": "I", "UTP": "I"}, _VOLUME_ONLY, _VOLUME_ONLY, False),
    (41, "Trade Thru Exempt", {}, _ALL, _ALL, False),
    (52, "Contingent Trade", {"CTA": "V", "UTP": "V"}, _VOLUME_ONLY, _VOLUME_ONLY, False),
    (53, "Qualified Contingent Trade", {"CTA": "7", "UTP": "7"}, _VOLUME_ONLY, _VOLUME_ONLY, False),
)  # fmt: skip

# (id, name, abbreviation, OPRA message type, update rules)
_OPTION_CONDITIONS: tuple[tuple[int, str, str, str, tuple[bool, bool, bool]], ...] = (
    (201, "Canceled", "CANC", "A", _NOTHING),
    (202, "Late and Out Of Sequence", "OSEQ", "B", _VOLUME_ONLY),
    (203, "Last and Canceled", "CNCL", "C", _NOTHING),
    (204, "Late", "LATE", "D", _ALL),
    (205, "Opening Trade and Canceled", "CNCO", "E", _NOTHING),
    (206, "Opening Trade, Late, and Out Of Sequence", "OPEN", "F", _VOLUME_ONLY),
    (207, "Only Trade and Canceled", "CNOL", "G", _NOTHING),
    (208, "Opening Trade and Late", "OPNL", "H", _ALL),
    (209, "Automatic Execution", "AUTO", "I", _ALL),
    (210, "Reopening Trade", "REOP", "J", _ALL),
    (219, "Intermarket Sweep Order", "ISOI", "S", _ALL),
    (227, "Single Leg Auction Non ISO", "SLAN", "a", _ALL),
    (228, "Single Leg Auction ISO", "SLAI", "b", _ALL),
    (229, "Single Leg Cross Non ISO", "SLCN", "c", _ALL),
    (230, "Single Leg Cross ISO", "SLCI", "d", _ALL),
    (231, "Single Leg Floor Trade", "SLFT", "e", _ALL),
    (232, "Multi Leg auto-electronic trade", "MLET", "f", _VOLUME_ONLY),
    (233, "Multi Leg Auction", "MLAT", "g", _VOLUME_ONLY),
    (234, "Multi Leg Cross", "MLCT", "h", _VOLUME_ONLY),
    (235, "Multi Leg floor trade", "MLFT", "i", _VOLUME_ONLY),
    (236, "Multi Leg auto-electronic trade against single leg(s)", "MESL", "j", _VOLUME_ONLY),
    (237, "Stock Options Auction", "TLAT", "k", _VOLUME_ONLY),
    (238, "Multi Leg Auction against single leg(s)", "MASL", "l", _VOLUME_ONLY),
    (239, "Multi Leg floor trade against single leg(s)", "MFSL", "m", _VOLUME_ONLY),
    (240, "Stock Options auto-electronic trade", "TLET", "n", _VOLUME_ONLY),
    (241, "Stock Options Cross", "TLCT", "o", _VOLUME_ONLY),
    (242, "Stock Options floor trade", "TLFT", "p", _VOLUME_ONLY),
    (243, "Stock Options auto-electronic trade against single leg(s)", "TESL", "q", _VOLUME_ONLY),
    (244, "Stock Options Auction against single leg(s)", "TASL", "r", _VOLUME_ONLY),
    (245, "Stock Options floor trade against single leg(s)", "TFSL", "s", _VOLUME_ONLY),
    (246, "Multi Leg Floor Trade of Proprietary Products", "CBMO", "t", _VOLUME_ONLY),
    (247, "Multilateral Compression Trade of Proprietary Products", "MCTP", "u", _VOLUME_ONLY),
    (248, "Extended Hours Trade", "EXHT", "v", _VOLUME_ONLY),
)  # fmt: skip

# Conditions the simulator prints with.
OPTION_AUTO_EXECUTION = 209
OPTION_ISO = 219
OPTION_MULTI_LEG = 232
STOCK_FORM_T = 12  # extended hours
STOCK_ODD_LOT = 37
STOCK_ISO = 14


def _rules(consolidated: tuple[bool, bool, bool], market_center: tuple[bool, bool, bool]) -> dict[str, Any]:
    def one(flags: tuple[bool, bool, bool]) -> dict[str, bool]:
        high_low, open_close, volume = flags
        return {"updates_high_low": high_low, "updates_open_close": open_close, "updates_volume": volume}

    return {"consolidated": one(consolidated), "market_center": one(market_center)}


def _condition_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for id_, name, sip, consolidated, market_center, legacy in _STOCK_CONDITIONS:
        row: dict[str, Any] = {
            "id": id_, "type": "sale_condition", "name": name, "asset_class": "stocks",
            "sip_mapping": sip, "update_rules": _rules(consolidated, market_center), "data_types": ["trade"],
        }  # fmt: skip
        if legacy:
            row["legacy"] = True
        rows.append(row)
    for id_, name, abbreviation, opra, flags in _OPTION_CONDITIONS:
        rows.append(
            {
                "id": id_,
                "type": "sale_condition",
                "name": name,
                "abbreviation": abbreviation,
                "asset_class": "options",
                "sip_mapping": {"OPRA": opra},
                "update_rules": _rules(flags, flags),
                "data_types": ["trade"],
            }  # fmt: skip
        )
    return rows


CONDITIONS: tuple[dict[str, Any], ...] = tuple(_condition_rows())
CONDITION_NAMES: dict[int, str] = {row["id"]: row["name"] for row in CONDITIONS}
