"""The collaudo step library: a pytest plugin (:mod:`collaudo.bdd.plugin`) with typed
fixtures and step definitions split by concern under :mod:`collaudo.bdd.steps`."""
