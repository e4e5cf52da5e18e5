"""OpenAPI 2.0 / 3.0 / 3.1 documents, split over files or not: loading and checks."""
