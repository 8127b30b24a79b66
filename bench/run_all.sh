#!/usr/bin/env bash
# Every ORAKL benchmark, from the repository root: the pytest-benchmark files (ingest,
# routing, /flow), then the scripts (memory and API budget of the 200-symbol universe with
# the feed's strike window and with every listed strike, detection latency and recall).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
"$PY" -m pytest bench -q --benchmark-only -p no:cacheprovider
"$PY" -m bench.universe_refresh
"$PY" -m bench.universe_refresh --strike-window 1.0
"$PY" -m bench.latency
