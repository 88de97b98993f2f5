"""The code-health collector: pure resolution from fixtures, the small parsers, and a real run.

Each `<case>.json` holds the service roots and, per environment, the files present there (a text or
a list of lines each) with the missing imports expected. One parametrised test runs them all, so a
new case is a new file, not new code.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from driftctl.collectors import code_health as ch
from driftctl.collectors import python_imports as pi

CASES = Path(__file__).parent


def _case_params() -> list:
    params = []
    for path in sorted(CASES.glob("*.json")):
        case = json.loads(path.read_text())
        for env in case["environments"]:
            params.append(pytest.param(path.stem, env, id=f"{path.stem}[{env}]"))
    return params


def _text(content: str | list[str]) -> str:
    return content if isinstance(content, str) else "\n".join(content) + "\n"


@pytest.mark.parametrize(("case_name", "env"), _case_params())
def test_fixture_case(case_name: str, env: str) -> None:
    case = json.loads((CASES / f"{case_name}.json").read_text())
    spec = case["environments"][env]
    files = {path: _text(content) for path, content in spec["files"].items()}
    data = pi.check_roots(case["roots"], sorted(files), files)
    assert data["missing"] == spec["expected"]
    assert data["modules_checked"] == spec["modules_checked"]
    assert data["roots"] == list(case["roots"])


def test_a_fleet_running_the_same_code_is_checked_once_and_each_host_gets_its_own_data(monkeypatch: pytest.MonkeyPatch) -> None:
    pi._CHECKED.clear()
    checks: list[int] = []
    real = pi._check_roots
    monkeypatch.setattr(pi, "_check_roots", lambda *args: checks.append(1) or real(*args))
    files = {"svc/app.py": "import gone_module\nimport json\n", "svc/requirements.txt": "requests\n"}
    first = pi.check_roots({"svc": "svc"}, sorted(files), dict(files))
    assert first["missing"] == [{"service": "svc", "file": "svc/app.py", "line": 1, "module": "gone_module"}]
    first["missing"].clear()
    assert pi.check_roots({"svc": "svc"}, sorted(files), dict(reversed(files.items()))) == {
        "roots": ["svc"], "modules_checked": 1,
        "missing": [{"service": "svc", "file": "svc/app.py", "line": 1, "module": "gone_module"}]}
    assert len(checks) == 1
    files["svc/gone_module.py"] = ""  # another host, another input: checked on its own
    assert pi.check_roots({"svc": "svc"}, sorted(files), files)["missing"] == [] and len(checks) == 2
    assert all(isinstance(k, bytes) and len(k) == 32 for k in pi._CHECKED)  # digests: no source is kept


def test_parse_imports_gives_line_module_level() -> None:
    text = "import a.b as c, d\nfrom ..pkg.mod import x\nfrom . import y, z\nfrom e import *\n"
    assert pi.parse_imports(text) == [(1, "a.b", 0), (1, "d", 0), (2, "pkg.mod", 2), (3, "y", 1), (3, "z", 1), (4, "e", 0)]


def test_parse_imports_leaves_out_optional_ones() -> None:
    text = "try:\n    import a\nexcept ImportError:\n    import b\nelse:\n    import c\nif typing.TYPE_CHECKING:\n    import d\nelse:\n    import e\n"
    assert [i.module for i in pi.parse_imports(text)] == ["b", "c", "e"]


def test_try_without_import_error_handler_is_not_optional() -> None:
    assert [i.module for i in pi.parse_imports("try:\n    import a\nexcept KeyError:\n    pass\n")] == ["a"]


@pytest.mark.parametrize(
    ("distribution", "module"),
    [("python-telegram-bot", "telegram"), ("PyYAML", "yaml"), ("Pillow", "pil"), ("python-dateutil", "dateutil"),
     ("aiohttp_cors", "aiohttp_cors"), ("zope.interface", "zope_interface"), ("scikit-learn", "sklearn")],
)
def test_distribution_names_map_to_import_names(distribution: str, module: str) -> None:
    assert module in pi.provided_modules(distribution)


def test_requirements_with_unreadable_include_are_incomplete() -> None:
    declared = pi.declared_packages({"svc/requirements.txt": "-r ../shared/requirements.txt\naiohttp\n"})
    assert "aiohttp" in declared.modules and not declared.complete


def test_pyproject_for_tool_settings_only_declares_nothing() -> None:
    assert not pi.declared_packages({"pyproject.toml": "[tool.black]\nline-length = 100\n"}).found


def test_compose_build_contexts_become_roots() -> None:
    base = "services:\n  market-data:\n    build: ./services/market-data\n  bot:\n    build:\n      context: services/telegram-bot\n      dockerfile: Dockerfile\n  redis:\n    image: redis:7\n  web:\n    build: ${WEB_DIR}\n  remote:\n    build: https://github.com/example/repo.git\n"
    override = "services:\n  bot:\n    build: !override\n      context: services/telegram-bot-v2\n"
    roots = ch.compose_build_roots([("docker-compose.yml", base), ("docker-compose.aws.yml", override), ("gone.yml", None)])
    assert roots == {"services/market-data": "market-data", "services/telegram-bot-v2": "telegram-bot-v2"}


def test_a_compose_text_is_parsed_once_for_a_fleet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every host of a fleet sends the same compose file: one parse per distinct text, and each
    caller still gets a mapping of its own."""
    ch._build_contexts.cache_clear()
    parsed: list[str] = []
    real = ch._load_yaml
    monkeypatch.setattr(ch, "_load_yaml", lambda text: parsed.append(text) or real(text))
    text = "services:\n  a:\n    build: ./a\n  b:\n    image: !override redis\n"
    first = ch.build_contexts(text)
    first["mutated"] = "by a caller"
    assert [ch.build_contexts(str(text)) for _ in range(3)] == [{"a": "./a"}] * 3
    assert ch.build_contexts("services: {c: {build: {context: c}}}") == {"c": "c"}
    assert ch.build_contexts("services: [unclosed") == {}
    assert len(parsed) == 3


def test_a_hostile_compose_text_gives_no_build_contexts_and_no_crash() -> None:
    """Nested thousands deep, or aliases that expand past the bounds every YAML read keeps."""
    assert ch.build_contexts("services: " + "[" * 5000 + "]" * 5000) == {}
    bomb = "a: &a [" + ", ".join(["x"] * 10) + "]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 10) + "]\n" for i in range(6))
    assert ch.build_contexts(bomb + "services: {a: {build: ./a}}\n") == {}


def test_discovered_roots_need_a_dockerfile_and_requirements() -> None:
    paths = ["services/a/Dockerfile", "services/a/requirements.txt", "services/b/Dockerfile", "tools/requirements.txt", "Dockerfile", "pyproject.toml"]
    assert ch.discover_roots(paths) == {".": ".", "services/a": "a"}


def test_configured_roots_win() -> None:
    roots = ch.choose_roots(["./services/x/"], {"docker-compose.yml": "services: {a: {build: ./a}}"}, ["docker-compose.yml"], [])
    assert roots == {"services/x": "x"}


# ---------------------------------------------------------------------------------------------
# A real run: git checkout, a server-like checkout, a plain folder and a git remote.

AGGREGATOR = (
    "import asyncio\nimport aiohttp\nfrom provider_base import Base\n"
    "from gateio_oi_provider_working import GateIOOIProviderWorking\n"
    "from bitget_oi_provider_working import BitgetOIProviderWorking\n"
)
SERVICE = {
    "docker-compose.yml": "services:\n  market-data:\n    build: ./services/market-data\n  redis:\n    image: redis:7\n",
    "services/market-data/Dockerfile": "FROM python:3.11-slim\n",
    "services/market-data/requirements.txt": "aiohttp>=3.9\n",
    "services/market-data/provider_base.py": "class Base: ...\n",
    "services/market-data/gateio_oi_provider.py": "from provider_base import Base\n",
    "services/market-data/bitget_oi_provider.py": "from provider_base import Base\n",
    "services/market-data/unified_oi_aggregator.py": AGGREGATOR,
}
WORKING = {
    "services/market-data/gateio_oi_provider_working.py": "GateIOOIProviderWorking = object\n",
    "services/market-data/bitget_oi_provider_working.py": "BitgetOIProviderWorking = object\n",
}
MISSING = [
    {"service": "market-data", "file": "services/market-data/unified_oi_aggregator.py", "line": 4, "module": "gateio_oi_provider_working"},
    {"service": "market-data", "file": "services/market-data/unified_oi_aggregator.py", "line": 5, "module": "bitget_oi_provider_working"},
]


@pytest.mark.integration
def test_collect_environment_finds_the_seed_breakage(tmp_path: Path, git_repo, bare_origin) -> None:
    from driftctl.config import parse_config
    from driftctl.runner import collect_environment
    from tests.fixtures.gitrepos import clone

    origin = bare_origin()
    work = git_repo("work")
    work.commit(SERVICE, "market-data service")
    work.git("push", "-q", str(origin), "main")
    clone(origin, tmp_path / "local")
    server = clone(origin, tmp_path / "aws")
    server.write({**WORKING, ".gitignore": "*_working.py\n"})  # hand-copied on the server, even ignored
    shutil.copytree(tmp_path / "local", tmp_path / "plain", ignore=shutil.ignore_patterns(".git"))
    config = parse_config(
        {"version": 1, "environments": {
            "local": {"transport": "local", "path": "local"},
            "aws": {"transport": "local", "path": "aws"},
            "plain": {"transport": "local", "path": "plain", "code_health": ["services/market-data"]},
            "github": {"transport": "git", "url": str(origin), "ref": "main"},
        }},
        None, "test.yaml", str(tmp_path),
    )
    data = {}
    for env in ("local", "aws", "plain", "github"):
        outcome = collect_environment(config, env, [ch.COLLECTOR])["collectors"]["code_health"]
        assert outcome["status"] == "ok", outcome
        data[env] = outcome["data"]
    commit = data["aws"].pop("commit")
    assert data["aws"] == {"roots": ["services/market-data"], "modules_checked": 6, "missing": []}
    # the committed aggregator imports two modules that exist on aws only as ignored, uncommitted files
    assert commit["sha"] == server.head()
    assert [(m["file"], m["line"], m["module"], m["provided_by"]) for m in commit["needs_uncommitted"]] == [
        ("services/market-data/unified_oi_aggregator.py", 4, "gateio_oi_provider_working",
         ["services/market-data/gateio_oi_provider_working.py"]),
        ("services/market-data/unified_oi_aggregator.py", 5, "bitget_oi_provider_working",
         ["services/market-data/bitget_oi_provider_working.py"]),
    ]
    for env in ("local", "plain", "github"):
        assert data[env].pop("commit", {"needs_uncommitted": []})["needs_uncommitted"] == [], env  # broken alike
        assert data[env] == {"roots": ["services/market-data"], "modules_checked": 4, "missing": MISSING}, env
