"""Analyses that need commands (git, file reads) but no host of their own: they follow the collector
generator protocol (yield commands, receive results, parse purely) and are driven by `runner.drive`.
"""
