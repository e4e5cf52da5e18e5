"""``collaudo sim govpay``: flags and settings, refused with a message that says what to do."""

from __future__ import annotations

import pytest

from collaudo.cli import main


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["sim", "govpay", "--creditor", "123=http://x:1/e"], "'123' is not an idDominio"),
        (["sim", "govpay", "--creditor", "80000000002=proxy:8000"], "not an http(s) URL"),
        (["sim", "govpay", "--checkout-url", "checkout:8030"], "not an http(s) URL"),
        (["sim", "govpay", "--set", "aux_digit=5"], "the aux digit is 0, 1, 2 or 3"),
        (["sim", "govpay", "--set", "iuv_mode=psp"], "choose one of govpay, ente"),
        (["sim", "govpay", "--set", "password=x"], "set COLLAUDO_GOVPAY_PASSWORD instead"),
        (["sim", "govpay", "--faults", "card-screen-error"], "does not apply to the govpay"),
    ],
)
def test_bad_settings_are_refused(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_help_lists_the_variables(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["sim", "govpay", "--help"])
    out = capsys.readouterr().out
    for variable in (
        "COLLAUDO_GOVPAY_CREDITOR_URLS",
        "COLLAUDO_GOVPAY_PASSWORD",
        "COLLAUDO_GOVPAY_NOTIFICATION_RETRY_UNIT",
        "--creditor CF=URL",
    ):
        assert variable in out
