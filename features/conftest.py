"""The collaudo suite: the step library is the ``collaudo.bdd`` pytest plugin."""

pytest_plugins = ["collaudo.bdd.plugin"]
