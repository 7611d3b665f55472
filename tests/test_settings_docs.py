"""Every setting is documented in the README, under its environment variable name."""

from pathlib import Path

from reso.settings import Settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_setting_is_in_the_readme():
    text = README.read_text(encoding="utf-8")
    missing = [f"RESO_{name.upper()}" for name in Settings.model_fields if f"RESO_{name.upper()}" not in text]
    assert not missing, f"settings missing from README: {missing}"


def test_every_setting_has_a_description():
    assert all(f.description for f in Settings.model_fields.values())


def test_settings_read_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("RESO_DATA_DIR", str(tmp_path / "x"))
    monkeypatch.setenv("RESO_EMBEDDER", "hash")
    s = Settings()
    assert s.data_dir == tmp_path / "x" and s.embedder == "hash"


def test_every_cli_command_is_in_the_readme():
    from reso.ui.cli import cli

    text = README.read_text(encoding="utf-8")
    missing = [name for name in cli.commands if f"reso {name}" not in text]
    assert not missing, f"commands missing from README: {missing}"
