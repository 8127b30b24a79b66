"""Helpers that make a test read like the behaviour it checks."""
