"""cardgen: turn technical cheatsheets into study material that is correct."""

__version__ = "0.1.0"
