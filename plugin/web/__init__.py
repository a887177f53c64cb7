"""Dashboard pages; they read the store and never call a vendor."""
