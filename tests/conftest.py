"""Project-wide test settings.

Under CI (``CI`` set, as ``.ci/run`` runs), hypothesis draws the same examples on every
run, so a property test cannot pass on one submission and fail on the next for the same
code; on a developer's machine it keeps exploring new examples each run.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
