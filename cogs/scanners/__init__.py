"""One cog per scanner, each its own extension (`cogs.scanners.<scanner>`), so one that fails
to load leaves the others running. Nothing is imported here for the same reason."""
