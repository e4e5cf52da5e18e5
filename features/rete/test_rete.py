"""Every scenario of the features in this folder (steps: :mod:`collaudo.bdd.steps.rete`)."""

from pytest_bdd import scenarios

scenarios(".")
