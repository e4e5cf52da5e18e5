"""Features: criticita."""
