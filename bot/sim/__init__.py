"""The market simulator: a synthetic US session served over HTTP in Polygon's JSON dialect.

Entry points: `bot.sim.server.SimServer` (serve a scenario in-process) and `python -m bot sim`
(standalone); the format is `bot.sim.scenario` and docs/scenarios.md. Inside: `market` builds
each underlying lazily from `chains`, `paths`, `bars`, `background` and `planted` prints kept on
a `tape`; `quotes` derives the NBBO; `payloads` shapes responses; `queries`, `paging`, `access`
and `faults` are the HTTP rules; `truth` says what a correct scanner should report; `rollover`
makes the next session's scenario, which a server given it serves from that day's midnight.
"""
