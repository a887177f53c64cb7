"""Adapters: the only code that talks to a vendor API."""
