"""Development / embedded default: SQLite, SqliteHuey, runserver."""

from .base import *  # noqa: F403

DEBUG = True
