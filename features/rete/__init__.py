"""Features: rete (connectivity on real network hosts)."""
