"""Features: checklist."""
