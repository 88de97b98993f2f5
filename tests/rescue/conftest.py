import pytest

from tests.planner import scenario


@pytest.fixture
def seed_scenario(tmp_path, sshd):
    return scenario.build(tmp_path, sshd)
