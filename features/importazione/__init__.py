"""Features: importazione."""
