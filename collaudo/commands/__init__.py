"""CLI verbs, one module each; see :mod:`collaudo.cli`."""
