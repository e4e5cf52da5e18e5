"""collaudo: contract testing and intermediary simulation for pagoPA payment intermediaries."""

__version__ = "0.1.0"
