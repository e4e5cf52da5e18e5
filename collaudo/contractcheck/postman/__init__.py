"""Postman collections v2.1 (v2.0 read alike) with saved example responses."""
