"""Features: bolli."""
