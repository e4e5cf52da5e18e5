"""Features: configurazione."""
