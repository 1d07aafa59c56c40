"""Command groups kept in their own modules.

Every module in this package is imported by `grassroots_tui.cli` after the root
`app` exists and registers its commands on it (`from grassroots_tui.cli import app`).
Like cli.py, these modules import SQLModel, Textual and the services inside the
commands, never at module level.
"""
