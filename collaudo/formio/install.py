"""Install the form.io renderer (``formiojs@4``) and Bootstrap 4's CSS with npm, once.

The files land in ``<dir>/node_modules`` where ``<dir>`` is ``COLLAUDO_FORMIO_DIR`` or
``.collaudo/node`` under the repository root (git-ignored). Installing is idempotent:
when the files are there nothing runs, so ``make install`` and CI can call it every time::

    python -m collaudo.formio.install          # install if missing, say where
    python -m collaudo.formio.install --check  # exit 1 (and say why) when missing

Tests never install: they skip, naming the command above.
"""

from __future__ import annotations

import argparse
import fcntl
import logging
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

# formiojs 4 renders Bootstrap 4 markup; the CSS only makes screenshots look like the admin.
PACKAGES = ("formiojs@4", "bootstrap@4")
INSTALL_COMMAND = "python -m collaudo.formio.install"
REPO_ROOT = Path(__file__).resolve().parents[2]


class FormioMissing(RuntimeError):
    """The renderer's files are not installed (or npm failed); the message says what to do."""


@dataclass(frozen=True)
class FormioAssets:
    """Where the renderer's files are."""

    node_modules: Path

    @property
    def formio_dist(self) -> Path:
        return self.node_modules / "formiojs" / "dist"

    @property
    def bootstrap_css(self) -> Path:
        return self.node_modules / "bootstrap" / "dist" / "css"

    @property
    def version(self) -> str:
        import json

        package = json.loads((self.node_modules / "formiojs" / "package.json").read_text())
        return str(package.get("version", "?"))

    def missing(self) -> list[Path]:
        wanted = [
            self.formio_dist / "formio.full.min.js",
            self.formio_dist / "formio.full.min.css",
            self.bootstrap_css / "bootstrap.min.css",
        ]
        return [path for path in wanted if not path.is_file()]


def default_dir() -> Path:
    """``COLLAUDO_FORMIO_DIR`` or ``<repo>/.collaudo/node``."""
    configured = os.environ.get("COLLAUDO_FORMIO_DIR")
    return Path(configured) if configured else REPO_ROOT / ".collaudo" / "node"


def find_formio(prefix: Path | None = None) -> FormioAssets:
    """The installed renderer, or :class:`FormioMissing` naming the install command."""
    assets = FormioAssets((prefix or default_dir()) / "node_modules")
    missing = assets.missing()
    if missing:
        raise FormioMissing(
            f"the form.io renderer is not installed ({missing[0]} is missing): run "
            f"`{INSTALL_COMMAND}` (needs npm) or point COLLAUDO_FORMIO_DIR at an npm prefix "
            f"holding {' and '.join(PACKAGES)}"
        )
    return assets


def ensure_formio(prefix: Path | None = None) -> FormioAssets:
    """Install the renderer into ``prefix`` unless it is already there; return where it is."""
    prefix = prefix or default_dir()
    try:
        return find_formio(prefix)
    except FormioMissing:
        pass
    npm = shutil.which("npm")
    if npm is None:
        raise FormioMissing(
            "npm is not installed: install Node.js and npm (Debian: apt-get install -y npm), "
            f"then run `{INSTALL_COMMAND}`"
        )
    prefix.mkdir(parents=True, exist_ok=True)
    # Two processes installing at once (parallel make, xdist) must not interleave.
    with open(prefix / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return find_formio(prefix)
        except FormioMissing:
            pass
        logger.info("installing %s into %s with npm", " ".join(PACKAGES), prefix)
        command = [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", *PACKAGES]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise FormioMissing(
                f"`{' '.join(command)}` failed with exit code {done.returncode}: "
                f"{done.stderr.strip()[-800:]} — check that the npm registry is reachable"
            )
    return find_formio(prefix)


def main(argv: list[str] | None = None) -> int:
    summary = (__doc__ or "").splitlines()[0]
    parser = argparse.ArgumentParser(prog=INSTALL_COMMAND, description=summary)
    parser.add_argument(
        "--prefix", type=Path, default=None, help=f"npm prefix (default: {default_dir()})"
    )
    parser.add_argument("--check", action="store_true", help="only check, never install")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    try:
        assets = find_formio(args.prefix) if args.check else ensure_formio(args.prefix)
    except FormioMissing as exc:
        logger.error("%s", exc)
        return 1
    logger.info("form.io renderer %s ready in %s", assets.version, assets.node_modules)
    return 0


if __name__ == "__main__":
    sys.exit(main())
