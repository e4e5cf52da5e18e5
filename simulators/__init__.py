"""Independent re-implementations of the outside world, from the official contracts."""
