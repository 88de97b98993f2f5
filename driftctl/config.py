"""environments.yaml: load, validate (pydantic), and explain problems as `file:line: key: message`.

The file's shape is a contract other tools depend on: extend it, never rename keys.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from driftctl import capabilities
from driftctl.capabilities import Kind
from driftctl.errors import ConfigError, UsageError
from driftctl.limits import MAX_ENV_NAME, excerpt, one_line, valid_env_name
from driftctl.notify.settings import Channel
from driftctl.settings import DEFAULT_CONFIG, config_path  # noqa: F401  (re-exported)
from driftctl.yaml_source import line_of, load_with_lines

COMPOSE_DEFAULT_FILES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")


class _Strict(BaseModel):
    # no NaN or infinity anywhere: `command_timeout: .inf` is a typo, not a wish to wait forever
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _known_collector(name: str) -> str:
    """A collector driftctl has (they are discovered, so the model cannot list them: see driftctl.collectors)."""
    from driftctl.collectors import collector_names

    known = collector_names()
    if name not in known:
        raise ValueError(f"unknown collector {name!r}; use one of: {', '.join(known)}")
    return name


CollectorName = Annotated[str, AfterValidator(_known_collector)]


class EnvironmentSpec(_Strict):
    """One environment: where it lives and how to reach it."""

    transport: Kind = Field(description="How driftctl reaches the environment.")
    path: str | None = Field(None, description="The checkout on that host (local: relative to the config file).")
    compose_files: list[str] | None = Field(
        None, description="Compose files relative to path; default: Compose's default file names."
    )
    env_files: list[str] = Field(default_factory=lambda: [".env"], description="Env files relative to path.")
    env_fallbacks: dict[str, str] = Field(
        default_factory=dict,
        description="git: env files that are not committed (gitignored), each read from a committed stand-in "
        "instead, e.g. `{.env: .env.example}`. The stand-in gives the variable names; their values are unknown "
        "(never compared). Without a stand-in, a missing env file leaves only the values that need it unknown.",
    )
    role: Literal["deployment", "development"] | None = Field(
        None, description="What the environment is: a `deployment` (what serves users: commits found only there are "
        "the only copy of a production change, critical) or a `development` checkout; default: ssh -> deployment, "
        "local and git -> development.",
    )
    # ssh
    host: str | None = Field(None, description="ssh: host name, address or ~/.ssh/config alias.")
    user: str | None = Field(None, description="ssh: login user (default: ~/.ssh/config, then $USER).")
    port: int | None = Field(None, ge=1, le=65535, description="ssh: port (default: ~/.ssh/config, then 22).")
    identity_file: str | None = Field(None, description="ssh: private key file.")
    known_hosts: str = Field("~/.ssh/known_hosts", description="ssh: known_hosts file to verify the host key.")
    connect_timeout: float = Field(10, gt=0, le=3600, description="ssh: seconds to wait for connect and auth.")
    max_startups: int = Field(
        8, ge=1, le=1000,
        description="ssh: logins to this environment's server (and to each ProxyJump hop) in progress at once, "
        "counted across every environment that reaches it; the others wait their turn within connect_timeout. Keep it "
        "below the server's sshd `MaxStartups` (OpenSSH's default drops connections past 10 unauthenticated ones).",
    )
    command_timeout: float = Field(60, gt=0, le=86400, description="Seconds one batch of commands may take.")
    max_file_bytes: int = Field(
        16 << 20, ge=1, le=1 << 31,
        description="Largest file (compose, env, sources) read on this environment; bigger ones are reported, not read.",
    )
    # git
    url: str | None = Field(None, description="git: the remote repository URL (or a local path to a repo).")
    ref: str | None = Field(None, description="git: branch, tag or commit; default: the remote's HEAD.")
    # containers
    docker_host: str | None = Field(None, description="Docker engine to read (unix://, tcp://); default: DOCKER_HOST.")
    compose_reference: Literal["model", "docker"] = Field(
        "model", description="How the compose collector checks its resolution against what Docker Compose on the host "
        "would say (hosts with Compose v2 only): `model` resolves once more with the host's shell variables (no program "
        "runs there but one `sh`); `docker` runs the host's own `docker compose config` (a Go program on every snapshot).",
    )
    # what to collect
    collectors: list[CollectorName] | None = Field(
        None, description="Collectors to run here (default: every one that applies to the transport)."
    )
    # code health
    code_health: list[str] | None = Field(
        None, description="Folders (relative to path) whose Python imports are checked; default: compose build contexts."
    )

    @model_validator(mode="after")
    def _transport_needs(self) -> EnvironmentSpec:
        caps = capabilities.of(self.transport)
        if caps.remote_shell and not self.host:
            raise ValueError(f"transport {self.transport} needs `host`")
        if caps.remote_shell and not self.path:
            raise ValueError(f"transport {self.transport} needs `path` (the checkout on the host)")
        if caps.revision and not self.url:
            raise ValueError(f"transport {self.transport} needs `url`")
        return self


def role_of(spec: EnvironmentSpec) -> str:
    """The configured role, else the transport's default (an SSH host serves; a local checkout is a laptop)."""
    return spec.role or ("deployment" if capabilities.of(spec.transport).deployment else "development")


class ExpectedRule(_Strict):
    """A difference that is supposed to exist: reported as EXPECTED, never fails `check`.

    The rule applies to a row when its component matches and every pair of environments whose values
    differ is allowed (for one-sided statuses such as DRIFT: every flagged environment is named).
    """

    component: str = Field(
        description="Component id pattern (fnmatch, case-sensitive, e.g. `env.*API_KEY*`); "
        "a pattern also matches everything below it (`compose.services.bot` covers `compose.services.bot.command`)."
    )
    environments: list[str] | None = Field(
        None, description="Only between these environments (all pairs among them); default: any."
    )
    pairs: list[list[str]] | None = Field(
        None, description="Only between these pairs of environments, e.g. `[[local, aws]]`; combined with `environments`."
    )
    reason: str | None = Field(None, description="Why the difference is expected; shown in the row's details.")

    @field_validator("pairs")
    @classmethod
    def _pairs_of_two(cls, value: list[list[str]] | None) -> list[list[str]] | None:
        if value is not None and any(len(p) != 2 for p in value):
            raise ValueError("each pair names exactly two environments")
        return value


class ComponentRule(_Strict):
    """A named row derived from a snapshot path, with values mapped to meanings.

    Example: `Bot Mode` from `compose.services.telegram-bot.command` with values
    `{"main_webhook": "webhook", "main\\.py": "polling"}`. A command list is matched as one string
    joined by spaces. The raw row at the same path is folded into this one (never counted twice).
    """

    title: str = Field(description="The row's title, e.g. `Bot Mode`.")
    path: str = Field(
        description="Dotted path into each snapshot: collector name, then keys of its data, e.g. "
        "`compose.services.telegram-bot.command` or `compose.services.telegram-bot.environment.MARKET_DATA_URL`."
    )
    values: dict[str, str] = Field(
        default_factory=dict, description="Regex -> label; the first regex that matches (re.search) names the value."
    )
    status: Literal["MISMATCH", "INCONSISTENT", "DRIFT", "DIVERGED", "BROKEN", "MISSING"] = Field(
        "MISMATCH", description="Status of the row when the environments' values differ."
    )
    severity: Literal["critical", "moderate", "low"] = Field("moderate", description="Severity when they differ.")

    @field_validator("values")
    @classmethod
    def _valid_regexes(cls, value: dict[str, str]) -> dict[str, str]:
        import re

        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"invalid regex {pattern!r}: {exc}") from None
        return value


class Thresholds(_Strict):
    """Resource use past which a host is CONSTRAINED (moderate; critical at 95% and above)."""

    memory_percent: float = Field(70, ge=0, le=100, description="Used memory (total - available) in percent.")
    disk_percent: float = Field(85, ge=0, le=100, description="Used space of the checkout's filesystem in percent.")


class Rules(_Strict):
    """How differences are judged: which are expected, which are hidden, thresholds, named rows."""

    expected: list[ExpectedRule] = Field(default_factory=list, description="Differences that should exist.")
    ignore: list[str] = Field(
        default_factory=list, description="Component id patterns never shown (reveal them with `--show-ignored`)."
    )
    thresholds: Thresholds = Field(default_factory=lambda: Thresholds.model_validate({}))
    components: dict[str, ComponentRule] = Field(
        default_factory=dict, description="Named rows (key = component id, e.g. `bot_mode`)."
    )


class SecretRules(_Strict):
    """What counts as a secret, on top of driftctl's detectors (names such as TOKEN, PASSWORD, KEY,
    DSN, *_PW...; token formats; credentials in URLs; random-looking strings). Secret values are kept
    only as keyed fingerprints (`fp:...`), in snapshots, reports, plans and logs alike."""

    secret: list[str] = Field(
        default_factory=list,
        description="Name patterns (fnmatch, case-insensitive) whose values are always secret: env variables, "
        "build args, labels, command-line flags, URL parameters, e.g. `*_PIN` or `LICENSE`.",
    )
    not_secret: list[str] = Field(
        default_factory=list,
        description="Name patterns (fnmatch, case-insensitive), or whole values (fnmatch, case-sensitive), never "
        "treated as secret, e.g. `PUBLIC_KEY_URL` or a public build id; wins over `secret` and the detectors.",
    )


class Config(_Strict):
    version: Literal[1] = 1
    environments: dict[str, EnvironmentSpec] = Field(
        description="Environments by name: a letter or digit, then letters, digits, `.`, `_`, `-` (at most 64)."
    )
    rules: Rules = Field(default_factory=Rules, description="How differences are judged (see Rules).")
    notify: list[Channel] = Field(
        default_factory=list, description="Where `check --notify` and `watch` send alerts when findings change."
    )
    groups: dict[str, list[str]] = Field(
        default_factory=dict, description="Named sets of environments (names or patterns such as `web-*`) for "
        "`diff --group NAME`: a fleet shown as its majority value and the hosts that differ.",
    )
    retention: str | None = Field(
        None, pattern=r"^\s*\d{1,9}\s*[smhdw]\s*$",
        description="How long saved snapshots are kept by `driftctl gc` without --keep (e.g. 30d).",
    )
    secrets: SecretRules = Field(
        default_factory=SecretRules, description="Names forced secret or allowed as clear text (see SecretRules)."
    )

    @field_validator("environments", mode="before")
    @classmethod
    def _valid_names(cls, value: Any) -> Any:
        """Names become folder names under reports/: nothing that could climb out or look like an option."""
        if isinstance(value, dict):
            for name in value:
                if not isinstance(name, str) or not valid_env_name(name):
                    raise ValueError(
                        f"invalid environment name {excerpt(name)}: use letters, digits, `.`, `_`, `-`, "
                        f"starting with a letter or digit (at most {MAX_ENV_NAME} characters)"
                    )
        return value

    # set by load_config, not part of the file
    source: str = Field("", exclude=True)
    base_dir: str = Field(".", exclude=True)

    def select(self, names: list[str] | tuple[str, ...] | None) -> list[str]:
        """The environments named (all when none), or UsageError naming the known ones."""
        if not names:
            return list(self.environments)
        unknown = [n for n in names if n not in self.environments]
        if unknown:
            known = ", ".join(self.environments) or "(none)"
            hint = did_you_mean(unknown[0], list(self.environments))
            shown = ", ".join("'" + excerpt(n, quote=False) + "'" for n in unknown[:5])
            raise UsageError(f"unknown environment {shown}{hint}; known: {known}")
        return list(dict.fromkeys(names))

    def local_path(self, env: EnvironmentSpec) -> str:
        """Absolute checkout path of a local environment (relative paths start at the config file)."""
        return str((Path(self.base_dir) / os.path.expanduser(env.path or ".")).resolve())


def did_you_mean(word: str, choices: list[str]) -> str:
    """` (did you mean 'x'?)` for a near miss (a typo), else nothing."""
    import difflib

    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _known_keys(loc: tuple[Any, ...]) -> list[str]:
    """The keys the model accepts where the unknown key `loc[-1]` was found (for "did you mean")."""
    from typing import get_args, get_origin

    model: Any = Config
    skip_key = False  # after a dict field (environments, components) comes a user-chosen name
    for part in loc[:-1]:
        if str(part).startswith("function-"):  # a validator's name in pydantic's error location
            continue
        if skip_key or isinstance(part, int):
            skip_key = False
            continue
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return []
        model = _model_of(field.annotation)
        skip_key = any(get_origin(a) is dict for a in (field.annotation, *get_args(field.annotation)))
    return list(getattr(model, "model_fields", {})) if model is not None else []


def _model_of(annotation: Any) -> Any:
    """The pydantic model inside `X`, `dict[str, X]`, `list[X]` or `X | None`."""
    from typing import get_args

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in reversed(get_args(annotation)):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _describe(err: Any) -> str:
    kind = err.get("type", "")
    given = excerpt(_shown(err.get("input")), quote=False)
    if kind in ("int_parsing", "int_type"):
        return f'expected an integer, got "{given}"'
    if kind in ("float_parsing", "float_type"):
        return f'expected a number, got "{given}"'
    if kind == "extra_forbidden":
        return "unknown key" + did_you_mean(str(err["loc"][-1]), _known_keys(err["loc"]))
    if kind == "missing":
        return "required key missing"
    if kind == "literal_error":
        return f"{err['msg'].lower()}, got \"{given}\""
    msg = str(err.get("msg", "invalid"))
    return one_line(msg.removeprefix("Value error, "))


def _shown(value: Any) -> Any:
    """A rejected value as an error may quote it: never one that looks like a credential."""
    from driftctl.secrets import fingerprint, looks_secret

    return fingerprint(str(value)) if isinstance(value, str) and looks_secret("", value) else value


def parse_config(data: Any, node: Any, source: str, base_dir: str) -> Config:
    """Validate already-parsed YAML; raise ConfigError with one line per problem."""
    if data is None:
        raise ConfigError(f"{source}:1: empty file; expected `version: 1` and `environments:`")
    if not isinstance(data, dict):
        raise ConfigError(f"{source}:1: expected a mapping at the top level")
    try:
        cfg = Config.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in {"function-after[_transport_needs(), EnvironmentSpec]"}))
            line = line_of(node, loc)
            key = one_line(".".join(str(p) for p in loc) or "<root>")
            lines.append(f"{source}:{line or 1}: {key}: {_describe(err)}")
        raise ConfigError("\n".join(lines)) from None
    from driftctl.secrets import set_policy

    set_policy(cfg.secrets.secret, cfg.secrets.not_secret)
    return cfg.model_copy(update={"source": source, "base_dir": base_dir})


def load_config(explicit: str | None = None) -> Config:
    path = config_path(explicit)
    if not path.exists():
        raise ConfigError(f"{path}: file not found; run `driftctl init` to write one here, or name yours with -c PATH")
    data, node = load_with_lines(path)
    return parse_config(data, node, str(path), str(path.resolve().parent))
