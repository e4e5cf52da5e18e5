"""The adapter core: an OpenCity-compatible pagoPA payment proxy and its intermediary drivers."""
