"""Features: pagamenti."""
