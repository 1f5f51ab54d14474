"""``asl serve``'s security flags: a misuse is one line and exit 2, and never shows a secret."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from asl_cli.main import cli

from .conftest import SECRET


@pytest.mark.parametrize(("args", "expected"), [
    (["--auth", "sigv4"], "--auth sigv4 needs --access-key ID:SECRET"),
    (["--access-key", f"AKID:{SECRET}"], "--access-key and --access-key-file need --auth sigv4"),
    (["--auth", "sigv4", "--access-key", SECRET], "access key 1: an access key must be given as ID:SECRET"),
    (["--auth", "sigv4", "--access-key", f"AK ID:{SECRET}"], "access key 1: an access key must be given as ID:SECRET"),
])
def test_a_misused_flag_is_one_line_without_the_secret(args: list[str], expected: str) -> None:
    result = CliRunner().invoke(cli, ["serve", "--db", ":memory:", "--port", "0", *args], env={"ASL_SERVE_ACCESS_KEYS": None})
    assert result.exit_code == 2, result.output
    assert expected in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert SECRET not in result.output and "Traceback" not in result.output


def test_a_bad_key_file_names_its_line_not_its_text(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.write_text(f"AKID:good\n{SECRET}\n")
    result = CliRunner().invoke(cli, ["serve", "--db", ":memory:", "--auth", "sigv4", "--access-key-file", str(keys)])
    assert result.exit_code == 2 and f"{keys}:2" in result.stderr and SECRET not in result.output


def test_keys_in_the_environment_are_ignored_without_auth_sigv4(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, object] = {}

    def fake_make_server(service: object, **kwargs: object) -> object:
        seen.update(kwargs)
        raise OSError(98, "Address already in use")

    monkeypatch.setattr("asl_engine.server.make_server", fake_make_server)
    result = CliRunner().invoke(cli, ["serve", "--db", ":memory:"], env={"ASL_SERVE_ACCESS_KEYS": f"AKID:{SECRET}"})
    assert result.exit_code == 2 and "cannot listen" in result.stderr
    assert seen["access_keys"] is None
