"""The admin form and a vendor report in Italian and in English, for docs/i18n/.

``python -m tests.i18n_samples [FOLDER]`` (``make i18n-samples``) writes into FOLDER
(default docs/i18n):

- ``tenant-form-{it,en}.png``: the MyPay proxy's tenant form rendered by the real form.io
  in Debian's headless Chromium, after a save with the required fields empty (so form.io
  shows its validation messages);
- ``tenant-form-{it,en}.txt``, ``service-form-{it,en}.txt``: every label, description and
  validation message of the forms, one component a paragraph;
- ``vendor-report-{it,en}.html`` and ``.png``: the vendor report of the committed MyPay
  sample recording (its failed ``paaSILImportaDovuto``).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from playwright.async_api import Page

from adapters.api.drivers import DRIVERS
from adapters.api.forms import form_schema
from adapters.i18n import use_language
from collaudo.browser import launch_chromium
from collaudo.browser.chromium import new_context
from collaudo.formio.install import find_formio
from collaudo.formio.page import serving_form_page
from collaudo.recorder.flows import read_flows
from collaudo.recorder.report import from_recording, write
from collaudo.recorder.sample import sample_path

LANGUAGES = ("it", "en")
DRIVER = "mypay"


def form_dump(schema: dict[str, Any]) -> str:
    lines = [schema["title"], "=" * len(schema["title"]), ""]
    for component in schema["components"]:
        lines.append(f"{component['label']}  [{component['key']}]")
        if component.get("description"):
            lines.append(f"    {component['description']}")
        for option in component.get("data", {}).get("values", []):
            lines.append(f"    - {option['value']}: {option['label']}")
        for name, message in component.get("errors", {}).items():
            lines.append(f"    ({name}) {message}")
        lines.append("")
    return "\n".join(lines)


async def form_screenshot(schema: dict[str, Any], lang: str, out: Path) -> None:
    assets = find_formio()
    with use_language(lang):  # the page's own words follow the schema's language
        async with (
            serving_form_page("http://127.0.0.1:9", "unused", "tenant", schema, assets) as url,
            launch_chromium() as browser,
            new_context(browser) as page,
        ):
            await _show_errors(page, url, out)


async def _show_errors(page: Page, url: str, out: Path) -> None:
    await page.goto(url)
    await page.wait_for_selector("body[data-ready]")
    # A save with the required fields empty: form.io marks each with its message.
    await page.evaluate("window.collaudoForm.submit().catch(() => null)")
    await page.wait_for_selector(".formio-error-wrapper, .has-error, .is-invalid")
    await page.screenshot(path=str(out), full_page=True)


async def report_screenshot(html: Path, out: Path) -> None:
    async with launch_chromium() as browser, new_context(browser) as page:
        await page.goto(html.resolve().as_uri())
        await page.screenshot(path=str(out), full_page=True)


async def render(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    spec = DRIVERS[DRIVER]()
    flows = read_flows(sample_path("mypay"))
    for lang in LANGUAGES:
        with use_language(lang):
            tenant = form_schema("tenant", spec)
            service = form_schema("service", spec)
            report = from_recording("sample-mypay", flows)
            with tempfile.TemporaryDirectory() as tmp:
                bundle = write(report, Path(tmp) / "vendor.zip")
                with zipfile.ZipFile(bundle) as z:
                    page = z.read("index.html")
        for name, schema in (("tenant", tenant), ("service", service)):
            dump = folder / f"{name}-form-{lang}.txt"
            dump.write_text(form_dump(schema), encoding="utf-8")
            written.append(dump)
        html = folder / f"vendor-report-{lang}.html"
        html.write_bytes(page)
        shots = [folder / f"tenant-form-{lang}.png", folder / f"vendor-report-{lang}.png"]
        await form_screenshot(tenant, lang, shots[0])
        await report_screenshot(html, shots[1])
        written += [html, *shots]
        print(f"{lang}: {', '.join(p.name for p in [html, *shots])}", flush=True)
    return written


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else Path("docs/i18n")
    written = asyncio.run(render(folder))
    print(f"{len(written)} files in {folder}/")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
