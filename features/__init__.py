"""The collaudo suite: Gherkin features in Italian, grouped by domain."""
