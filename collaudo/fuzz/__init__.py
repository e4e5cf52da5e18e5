"""Fuzzing every API collaudo ships or simulates.

REST with schemathesis 4 (the proxy's own OpenAPI, the GPD simulator and the checkout
mock against the official pagoPA specs), SOAP with hypothesis strategies generated from the
official XSDs (MyPay ``pa-per-ente``, ``paForNode``), and the drivers fed generated and
mutated intermediary answers. Entry point: :func:`run_fuzz`; CLI: ``collaudo fuzz``.
"""

from collaudo.fuzz.model import ApiReport, Finding
from collaudo.fuzz.runner import DEFAULT_BUDGET, TARGETS, FuzzRun, run_fuzz

__all__ = ["DEFAULT_BUDGET", "TARGETS", "ApiReport", "Finding", "FuzzRun", "run_fuzz"]
