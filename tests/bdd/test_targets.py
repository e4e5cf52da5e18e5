"""Target profiles: built-ins, collaudo.toml, live targets and their secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from collaudo.targets import BUILT_IN, TargetError, load_targets, select

REPO = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "collaudo.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_three_simulators_are_built_in_and_the_default() -> None:
    chosen = select(load_targets(REPO / "collaudo.toml"), None)
    assert [(t.name, t.intermediary, t.simulated) for t in chosen] == [
        ("sim-mypay", "mypay", True),
        ("sim-gpd", "gpd", True),
        ("sim-govpay", "govpay", True),
    ]
    # Built in: no file needed.
    assert [t.name for t in select(BUILT_IN, None)] == [t.name for t in chosen]


def test_the_committed_example_names_vendor_urls_and_takes_secrets_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    targets = load_targets(REPO / "collaudo.toml.example")
    mypay = targets["mypay-collaudo"]
    assert mypay.kind == "live" and mypay.intermediary == "mypay"
    assert mypay.tenant["mypay_wsdl_url"].startswith("https://")
    assert mypay.services["suolo_pubblico"]["mypay_codice_tipo_dovuto"] == "DIRITTI_SEGRETERIA"
    monkeypatch.delenv("MYPAY_TEST_PASSWORD", raising=False)
    assert mypay.missing_secrets() == ["MYPAY_TEST_PASSWORD"]
    monkeypatch.setenv("MYPAY_TEST_PASSWORD", "from-the-environment")
    assert mypay.missing_secrets() == []
    options = mypay.stack_options(Path("/tmp/x"))
    assert options.simulated is False
    assert options.tenant_overrides["mypay_password_env"] == "MYPAY_TEST_PASSWORD"


def test_a_secret_written_in_the_file_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[targets.v]\nintermediary = "gpd"\n[targets.v.tenant]\ngpd_subscription_key = "abc"\n',
    )
    with pytest.raises(TargetError, match="looks like a secret.*gpd_subscription_key_env"):
        load_targets(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[targets.v]\nintermediary = "nexi"\n', "intermediary must be one of mypay, gpd"),
        ('[targets.v]\nintermediary = "gpd"\nkind = "live"\n', "needs a \\[targets.v.tenant\\]"),
        ('[targets.v]\nintermediary = "gpd"\ncolour = 1\n', "unknown keys colour"),
        (
            '[targets.v]\nintermediary = "gpd"\n[targets.v.services.tari]\na = 1\n',
            "unknown service 'tari'",
        ),
        ("[targets\n", "not valid TOML"),
    ],
)
def test_bad_profiles_say_what_to_fix(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(TargetError, match=message):
        load_targets(write(tmp_path, text))


def test_an_unknown_target_lists_the_known_ones() -> None:
    known = "sim-govpay, sim-gpd, sim-mypay"
    with pytest.raises(TargetError, match=f"unknown target 'sim-nexi'; known: {known}"):
        select(load_targets(REPO / "collaudo.toml"), ["sim-nexi"])


def test_a_missing_config_file_given_explicitly_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(TargetError, match="no such file"):
        load_targets(tmp_path / "nope.toml")
