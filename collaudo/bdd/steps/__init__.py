"""Step definitions, one module per concern; the plugin loads every module here."""
