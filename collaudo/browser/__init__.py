"""A citizen and an operator in a real browser: Debian's Chromium driven by Playwright.

- :func:`launch_chromium` starts Debian's Chromium (its headless shell where installed)
  with the flags this machine and CI need (:mod:`collaudo.browser.chromium`);
- :func:`pay_in_browser` walks the pagoPA checkout from the platform's citizen page
  ("Paga online") or a payment link, back to the creditor's landing page, with a
  screenshot of every page (:mod:`collaudo.browser.checkout`);
- :func:`collaudo.browser.admin.configure_through_form` renders the proxy's form.io
  schema with the real form.io renderer, types the values in as an operator would,
  submits, and returns the configuration the proxy stored (imported from its module,
  not from here: it uses :mod:`collaudo.formio`, whose operator types with
  :mod:`collaudo.browser.hand`).

Browser checks skip where :func:`chromium_missing_reason` says why they cannot run.
"""

from collaudo.browser.checkout import (
    BrowserCheckoutError,
    BrowserCheckoutResult,
    CardData,
    CheckoutPage,
    citizen_actions,
    pay_in_browser,
    watch_landing,
)
from collaudo.browser.chromium import (
    CHROMIUM_ARGS,
    BrowserUnavailable,
    Screenshots,
    chromium_missing_reason,
    is_loopback,
    launch_chromium,
    new_context,
)
from collaudo.browser.runner import ChromiumRunner

__all__ = [
    "CHROMIUM_ARGS",
    "BrowserCheckoutError",
    "BrowserCheckoutResult",
    "BrowserUnavailable",
    "CardData",
    "CheckoutPage",
    "ChromiumRunner",
    "Screenshots",
    "chromium_missing_reason",
    "citizen_actions",
    "is_loopback",
    "launch_chromium",
    "new_context",
    "pay_in_browser",
    "watch_landing",
]
