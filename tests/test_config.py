"""environments.yaml validation: one line per problem with file, line and key; exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from driftctl.config import load_config
from driftctl.errors import ConfigError, UsageError

VALID = """\
version: 1
environments:
  local:
    transport: local
    path: .
  aws:
    transport: ssh
    host: 13.239.14.166
    user: ubuntu
    port: 22
    path: /home/ubuntu/crypto-assistant
    compose_files: [docker-compose.yml, docker-compose.aws.yml]
  github:
    transport: git
    url: https://github.com/example/crypto-assistant.git
"""


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "environments.yaml"
    path.write_text(text)
    return str(path)


def test_valid_config_defaults(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, VALID))
    assert list(cfg.environments) == ["local", "aws", "github"]
    assert cfg.environments["local"].env_files == [".env"]
    assert cfg.environments["aws"].connect_timeout == 10
    assert cfg.local_path(cfg.environments["local"]) == str(tmp_path.resolve())


def test_bad_port_names_file_line_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("port: 22", "port: twenty-two"))
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert err.value.message == f'{path}:10: environments.aws.port: expected an integer, got "twenty-two"'


def test_every_problem_gets_its_own_line(tmp_path: Path) -> None:
    text = VALID.replace("port: 22", "port: x").replace("transport: git", "transport: ftp")
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text))
    lines = err.value.message.splitlines()
    assert len(lines) == 2
    assert ":10: environments.aws.port:" in lines[0] and ":14: environments.github.transport:" in lines[1]


def test_unknown_key(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("    user: ubuntu\n", "    usr: ubuntu\n"))
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert err.value.message == f"{path}:9: environments.aws.usr: unknown key (did you mean 'user'?)"


def test_transport_requirements(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("    host: 13.239.14.166\n", ""))
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert err.value.message == f"{path}:6: environments.aws: transport ssh needs `host`"


def test_malformed_yaml_reports_line(tmp_path: Path) -> None:
    path = write(tmp_path, "version: 1\nenvironments:\n  local: [unclosed\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert err.value.message.startswith(f"{path}:") and "invalid YAML" in err.value.message
    assert "\n" not in err.value.message


def test_the_config_is_parsed_once_for_its_data_and_its_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fleet's config names every environment: one parse gives both the data and the line numbers
    of its messages (not a second parse of the whole file for the data)."""
    import yaml

    def second_parse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the config was parsed again")

    for name in ("load", "safe_load", "compose"):
        monkeypatch.setattr(yaml, name, second_parse)
    assert set(load_config(write(tmp_path, VALID)).environments) == {"local", "aws", "github"}
    path = write(tmp_path, VALID.replace("    port: 22\n", "    port: 22\n    prot: 1\n"))
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert err.value.message == f"{path}:11: environments.aws.prot: unknown key (did you mean 'port'?)"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_config(str(tmp_path / "nope.yaml"))


def test_env_var_selects_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRIFTCTL_CONFIG", write(tmp_path, VALID))
    assert "github" in load_config().environments


def test_unknown_environment_names_known_ones(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, VALID))
    with pytest.raises(UsageError) as err:
        cfg.select(["local", "prod"])
    assert err.value.message == "unknown environment 'prod'; known: local, aws, github"
