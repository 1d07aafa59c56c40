"""grassroots_tui: a keyboard-driven terminal program for residents' committee clerks."""

__version__ = "0.1.0"
