"""Baton: keeps context when helpdesk tickets change hands."""

__version__ = "0.1.0"
