"""The `kpi` command: a thin layer over the library (parse options, call, print, exit code)."""

from .group import main

__all__ = ["main"]
