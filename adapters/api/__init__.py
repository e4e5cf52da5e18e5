"""The payment proxy's HTTP face (Starlette).

- configuration API v2 with form.io schemas (:mod:`adapters.api.config_routes`),
- citizen links (:mod:`adapters.api.citizen`),
- CSV import of pending payments (:mod:`adapters.api.imports`, columns in
  :mod:`adapters.core.csv_rows`),
- paper stamps (:mod:`adapters.api.stamps`),
- ``/status``, ``/metrics``, ``/docs`` (:mod:`adapters.api.ops`, :mod:`adapters.api.openapi`).

Build it with :func:`adapters.api.app.create_app`; settings come from
environment variables (:class:`adapters.api.settings.ApiSettings`).
"""
