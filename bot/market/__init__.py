"""Market time and the options feed: clock, calendar, baselines, flow events."""
