"""Payment proxy core: models, status machine, Intermediary protocol, store, bus, processor."""
