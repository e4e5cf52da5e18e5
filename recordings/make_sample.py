"""Regenerate the committed sample recordings against the simulators.

    .venv/bin/python recordings/make_sample.py          # both
    .venv/bin/python recordings/make_sample.py mypay    # one

Same as ``collaudo record --sample mypay`` / ``--sample gpd``: the drivers walk one payment
and one failed creation through mitmproxy (the recording addon) in front of the
simulators; everything is redacted before it is written.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from collaudo.recorder.sample import SAMPLES, fixed_key, record_sample, sample_path  # noqa: E402


def main(names: list[str]) -> int:
    for name in names or list(SAMPLES):
        if name not in SAMPLES:
            print(f"unknown sample {name!r}: choose {', '.join(SAMPLES)}", file=sys.stderr)
            return 2
        out = sample_path(name)  # type: ignore[arg-type]
        count = record_sample(name, out, key=fixed_key())  # type: ignore[arg-type]
        print(f"{out}: {count} flows")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
