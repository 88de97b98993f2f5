"""Git that never runs a program named by the repository it reads.

A target's checkout (its `.git/config`, `.git/info/attributes`, `.gitattributes`, hooks, and over
SSH the target user's own `~/.gitconfig`) is untrusted input. Several git settings name programs that
git runs on its own (`core.fsmonitor` on every `git status`, filter drivers when a modified file is
hashed, merge drivers in `merge-tree`, gpg when `log.showSignature` is on, hooks, pagers, ...). So every
git command driftctl runs gets:

- fixed `-c` overrides (`SAFE_CONFIG`): command-line configuration wins over every file;
- overrides for the driver keys the repository itself defines (`filter.<x>.clean`, `diff.<x>.textconv`,
  `merge.<x>.driver`, `credential.<url>.helper`, ...), whose names cannot be known in advance: they are
  listed first with `git config --name-only --get-regexp` (which only reads files) and each is set to
  the empty string. A key git cannot take on the command line makes git refuse to run: fail-safe;
- a safe environment: no system config, no global config on a target host, no pager, no editor,
  no prompt, and none of the caller's `GIT_DIR`-style redirections.

Three policies: `TARGET` (a checkout on this machine: the operator's own global config is kept, it is
theirs), `REMOTE` (a checkout over SSH: the target user's global config is ignored too) and `MIRROR`
(driftctl's own bare mirror of a configured URL: its config is written by driftctl, so the operator's
credential helpers, proxies and system config stay in effect for the fetch).
"""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Mapping, Sequence

TARGET = "target"
REMOTE = "remote"
MIRROR = "mirror"
MIRROR_WITH_CREDENTIALS = "mirror+credentials"  # the URL's own credentials come by askpass: no helper


def _mirror(policy: str) -> bool:
    return policy in (MIRROR, MIRROR_WITH_CREDENTIALS)

# Settings whose value is a program (or that make git call one), set to something inert.
SAFE_CONFIG: tuple[tuple[str, str], ...] = (
    ("core.fsmonitor", ""),  # empty = off, for both the hook form (< 2.36) and the bool form
    ("core.hooksPath", "/dev/null"),  # no hook can be found under /dev/null
    ("core.pager", "cat"),
    ("core.editor", ":"),
    ("sequence.editor", ":"),
    ("core.askPass", ""),
    ("core.sshCommand", "ssh"),
    ("core.alternateRefsCommand", ""),
    ("core.attributesFile", "/dev/null"),
    ("diff.external", ""),
    ("uploadpack.packObjectsHook", ""),
    ("log.showSignature", "false"),  # verifying a signature runs gpg.program
    ("gpg.program", ""),
    ("gpg.openpgp.program", ""),
    ("gpg.x509.program", ""),
    ("gpg.ssh.program", ""),
    ("gpg.ssh.defaultKeyCommand", ""),
    ("protocol.ext.allow", "never"),
    ("submodule.recurse", "false"),
    ("status.submoduleSummary", "false"),
)
# Only for checkouts (targets): the mirror needs the operator's own credential helper.
TARGET_ONLY_CONFIG: tuple[tuple[str, str], ...] = (("credential.helper", ""),)

# Keys whose names carry a driver or URL chosen by the repository; each one found is set to "".
DRIVER_KEYS_RE = (
    r"^(filter\..+\.(clean|smudge|process|required)|diff\..+\.(textconv|command)|merge\..+\.driver"
    r"|credential\..+\.helper|gpg\..+\.program|pager\..+|remote\..+\.(uploadpack|receivepack|proxy))$"
)

# A repository's merge driver becomes git's own three-way text merge (exit status = conflicts), so
# merge-risk analysis still sees conflicts where the driver would have run.
MERGE_DRIVER = "git merge-file --marker-size=%L %A %O %B"


def driver_value(key: str) -> str:
    """The inert value for one driver key (see DRIVER_KEYS_RE): empty, which git treats as
    "no such program" (a filter is skipped, `required` is false), except merge drivers."""
    return MERGE_DRIVER if key.startswith("merge.") and key.endswith(".driver") else ""


SAFE_ENV: dict[str, str] = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_ATTR_NOSYSTEM": "1",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_PAGER": "cat",
    "PAGER": "cat",
    "GIT_EDITOR": ":",
    "GIT_SEQUENCE_EDITOR": ":",
    "GIT_OPTIONAL_LOCKS": "0",
    "GIT_PROTOCOL_FROM_USER": "0",
}
# Variables that would make git read another repository, config or program than the one named.
UNSAFE_ENV: tuple[str, ...] = (
    "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR", "GIT_NAMESPACE", "GIT_CONFIG", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT",
    "GIT_EXTERNAL_DIFF", "GIT_EXEC_PATH", "GIT_SSH", "GIT_SSH_COMMAND", "GIT_PROXY_COMMAND", "GIT_ASKPASS",
    "SSH_ASKPASS", "GIT_CEILING_DIRECTORIES", "GIT_REPLACE_REF_BASE", "GIT_TEMPLATE_DIR",
)
# The operator's own ssh/askpass settings are theirs to use for the mirror's fetches.
_MIRROR_KEEPS = frozenset({"GIT_SSH", "GIT_SSH_COMMAND", "GIT_PROXY_COMMAND", "GIT_ASKPASS", "SSH_ASKPASS"})


def config_overrides(policy: str = TARGET) -> list[tuple[str, str]]:
    """The fixed (key, value) overrides for a policy."""
    return list(SAFE_CONFIG) + (list(TARGET_ONLY_CONFIG) if policy != MIRROR else [])


def c_args(pairs: Sequence[tuple[str, str]]) -> list[str]:
    out: list[str] = []
    for key, value in pairs:
        out += ["-c", f"{key}={value}"]
    return out


def safe_argv(argv: Sequence[str], driver_keys: Sequence[str] = (), policy: str = TARGET) -> list[str]:
    """`git ARGS` -> `git --no-pager -c ... ARGS` (argv[0] is kept as given)."""
    pairs = [(k, driver_value(k)) for k in driver_keys] + config_overrides(policy)
    return [argv[0], "--no-pager", *c_args(pairs), *argv[1:]]


def environment(policy: str = TARGET, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a local git process under `policy` (from `base`, default os.environ)."""
    env = dict(os.environ if base is None else base)
    for name in UNSAFE_ENV:
        if _mirror(policy) and name in _MIRROR_KEEPS:
            continue
        env.pop(name, None)
    env.update(SAFE_ENV)
    if _mirror(policy):
        env.pop("GIT_CONFIG_NOSYSTEM", None)  # the operator's system config (proxies, CA) applies
        env.pop("GIT_PROTOCOL_FROM_USER", None)  # the URL is the operator's own (file:// included)
    if policy == REMOTE:
        env["GIT_CONFIG_GLOBAL"] = "/dev/null"
    return env


def driver_keys(cwd: str | None, env: Mapping[str, str], git: str = "git", policy: str = TARGET) -> list[str]:
    """The driver keys the repository at `cwd` defines (reading config runs nothing).

    On this machine the operator's own global drivers (git-lfs, say) are theirs and stay in effect;
    only what the repository's side defines (local and worktree scope, with their includes) is
    overridden. The mirror's config is driftctl's own: nothing to override there.
    """
    if _mirror(policy):
        return []
    argv = [git, "config", "-z", "--show-scope", "--name-only", "--get-regexp", DRIVER_KEYS_RE]
    proc = _run_quiet(argv, cwd, env)
    if proc is None:
        return []
    if proc.returncode not in (0, 1):  # a git older than 2.26: no --show-scope, override every scope
        plain = _run_quiet([a for a in argv if a != "--show-scope"], cwd, env)
        fields = plain.stdout.decode("utf-8", "surrogateescape").split("\0") if plain else []
        return sorted({n for n in fields if n})
    fields = proc.stdout.decode("utf-8", "surrogateescape").split("\0")
    trusted = {"global", "system"} if policy == TARGET else set()
    names = {name for scope, name in zip(fields[::2], fields[1::2]) if name and scope not in trusted}
    return sorted(names | set(submodule_driver_keys(cwd, env, git)))


def submodule_driver_keys(cwd: str | None, env: Mapping[str, str], git: str = "git") -> list[str]:
    """Driver keys in the configs of the checkout's submodules. `git status` runs a child git in each
    submodule, with that submodule's config; command-line overrides are inherited by children, so the
    submodules' driver keys are overridden from the top as well."""
    common = _run_quiet([git, "rev-parse", "--git-common-dir"], cwd, env)
    files: list[str] = []
    if common is not None and common.returncode == 0:
        modules = os.path.join(cwd or ".", common.stdout.decode("utf-8", "surrogateescape").strip(), "modules")
        for dirpath, _dirs, names in os.walk(modules):
            files += [os.path.join(dirpath, "config")] if "config" in names else []
    # reading the index is what fsmonitor hooks into: the listing itself runs with the overrides
    staged = _run_quiet(safe_argv([git, "ls-files", "-s", "-z"]), cwd, env)
    for entry in (staged.stdout.decode("utf-8", "surrogateescape").split("\0") if staged and staged.returncode == 0 else []):
        if entry.startswith("160000 ") and "\t" in entry:
            own = os.path.join(cwd or ".", entry.split("\t", 1)[1], ".git", "config")
            files += [own] if os.path.isfile(own) else []
    keys: set[str] = set()
    for path in files:
        proc = _run_quiet([git, "config", "-z", "--includes", "--name-only", "--file", path, "--get-regexp", DRIVER_KEYS_RE],
                          cwd, env)
        if proc is not None:
            keys |= {n for n in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if n}
    return sorted(keys)


def _run_quiet(argv: list[str], cwd: str | None, env: Mapping[str, str]) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(argv, cwd=cwd, env=dict(env), capture_output=True, stdin=subprocess.DEVNULL, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None


def local_command(argv: Sequence[str], cwd: str | None, policy: str = TARGET,
                  extra_env: Mapping[str, str] | None = None,
                  keys: Sequence[str] | None = None) -> tuple[list[str], dict[str, str]]:
    """(argv, env) to run one git command on this machine under `policy`. `keys` is the checkout's
    driver keys when the caller already scanned it for this batch (`local_scan_key` says which
    commands may share one scan); otherwise the checkout is scanned now."""
    env = _command_env(policy, extra_env)
    if keys is None:
        keys = driver_keys(cwd, env, argv[0], policy)
    return safe_argv(argv, keys, policy), env


def local_scan_key(argv: Sequence[str], cwd: str | None, policy: str = TARGET,
                   extra_env: Mapping[str, str] | None = None) -> tuple[object, ...]:
    """What a scan of driver keys depends on: git commands of one batch with the same key share one
    scan, as a remote batch shares one per checkout (the scan is three git processes; a snapshot's
    batch runs about ten git commands in the same checkout)."""
    return (argv[0], cwd, policy, tuple(sorted((extra_env or {}).items())))


def scan_for(argv: Sequence[str], cwd: str | None, policy: str = TARGET,
             extra_env: Mapping[str, str] | None = None) -> list[str]:
    """The driver keys `local_command` would scan for this command."""
    return driver_keys(cwd, _command_env(policy, extra_env), argv[0], policy)


def _command_env(policy: str, extra_env: Mapping[str, str] | None) -> dict[str, str]:
    return {**environment(policy), **(extra_env or {})}


def is_git(argv: Sequence[str]) -> bool:
    return bool(argv) and os.path.basename(argv[0]) == "git"


# ---- POSIX sh (commands sent over SSH) ---------------------------------------------------------

SHELL_FUNCTION = "_driftctl_git"
SCAN_FUNCTION = "_driftctl_scan"
KEYS_VARIABLE = "_driftctl_keys"  # the scan's result, when the batch already listed it for this checkout
CONFIG_FUNCTION = "_driftctl_conf"
QUOTED_GITLINK_KEY = "driftctl-unreadable-gitlink-name"  # no section: git refuses to run with it

# `.git` in the checkout is the repository git takes, as it is: a real folder with HEAD on a branch,
# objects and refs (what git checks before it takes a `.git`; one it rejects sends git to the folders
# above), not a linked worktree's (`commondir`). A test with builtins only, of the folder in "$_g" (the
# checkout's `.git`, absolute or relative to the current folder); it sets `_h`.
OWN_GIT_DIR = (
    '[ -d "$_g" ] && [ ! -L "$_g/HEAD" ] && [ -f "$_g/HEAD" ] && [ -d "$_g/objects" ] && [ -x "$_g/objects" ] && '
    '[ -d "$_g/refs" ] && [ -x "$_g/refs" ] && [ ! -e "$_g/commondir" ] && IFS= read -r _h 2>/dev/null <"$_g/HEAD" && '
    'case $_h in "ref: refs/"?*) true;; *) false;; esac'
)

# Where `.git/config` names none of these (in any case), it defines no key DRIVER_KEYS_RE matches: each
# such key lives in a section whose header starts `[filter`, `[diff`, ... (section names cannot be
# quoted, split or preceded by blanks inside the brackets), or is a `remote.*` key named below, or
# comes through an include. Over-matching (a branch named `diffs`, a comment) only runs git as before.
DRIVER_SECTIONS = ("filter", "diff", "merge", "credential", "gpg", "pager")
DRIVER_REMOTE_VARIABLES = ("uploadpack", "receivepack", "proxy")
CONFIG_LINES_READ = 64  # a longer config is not read by the shell (one system call per byte): git lists it


def _any_case(word: str) -> str:
    """A sh pattern matching `word` in any case (`diff` -> `[Dd][Ii][Ff][Ff]`)."""
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in word)


def _config_function_body() -> list[str]:
    """`_driftctl_conf`: read "$_g/config" with builtins (a `.git` where OWN_GIT_DIR holds) and
    set `_cd` when some line could define a driver key, `_cr` when some line could define a remote;
    non-zero status when it cannot tell (no such file, a worktree config, more than CONFIG_LINES_READ lines)."""
    drivers = "|".join([*(f'*"["{_any_case(w)}*' for w in DRIVER_SECTIONS), *(f"*{_any_case(w)}*" for w in DRIVER_REMOTE_VARIABLES)])
    return [
        "  _cd=; _cr=; _n=0",
        '  [ ! -e "$_g/config.worktree" ] && [ ! -L "$_g/config.worktree" ] && [ -f "$_g/config" ] && [ -r "$_g/config" ] || return 1',
        '  while IFS= read -r _l || [ -n "$_l" ]; do',
        f'    _n=$((_n + 1)); [ "$_n" -le {CONFIG_LINES_READ} ] || return 1',
        f'    case $_l in *{_any_case("include")}*) _cd=1; _cr=1;; *"["{_any_case("remote")}*) _cr=1;; esac',
        f"    case $_l in {drivers}) _cd=1;; esac",
        '  done 2>/dev/null <"$_g/config"',
    ]


def shell_prelude(policy: str = REMOTE) -> str:
    """Lines for the top of a batch script: the safe environment, a function that prints the
    repository's own driver keys (newline-separated: a config subsection cannot hold a newline), and a
    function that runs git with those keys overridden (globbing off so a `*` in a name stays literal).

    The scan costs a few git processes, so a batch runs it once per checkout and hands the result to
    every git command of that checkout in `_driftctl_keys`; without it, each command scans for itself.
    """
    env = environment(policy, base={})
    lines = [
        "unset " + " ".join(UNSAFE_ENV),
        "export " + " ".join(f"{k}={shlex.quote(v)}" for k, v in sorted(env.items())),
        f"{CONFIG_FUNCTION}() {{",
        *_config_function_body(),
        "}",
        f"{SCAN_FUNCTION}() {{",
        "  set -f",
        f"  _re={shlex.quote(DRIVER_KEYS_RE)}",
        # the common git dir: `.git` itself where it is a repository git takes as it is (a real folder,
        # HEAD on a branch, objects and refs there, not a linked worktree's); else as git names it
        '  _m=; _g=.git',
        f'  if {OWN_GIT_DIR}; then _m=.git/modules; fi',
        # where that `.git/config` (the only config file git reads here: no global, no system) holds
        # no section a driver key lives in, `git config` would list nothing: it is not started
        f'  if [ -z "$_m" ] || ! {CONFIG_FUNCTION} || [ -n "$_cd" ]; then',
        '    command git config --name-only --get-regexp "$_re" 2>/dev/null; fi',
        '  [ -n "$_m" ] || _m="$(command git rev-parse --git-common-dir 2>/dev/null)/modules"',
        # submodules' own configs (git status runs a child git there, which inherits our -c)
        '  if [ -d "$_m" ]; then',
        '    find "$_m" -name config -type f -exec git config --includes --name-only --file {} --get-regexp "$_re" \\; 2>/dev/null; fi',
        # and those of the gitlinks (mode 160000) with a `.git` folder of their own; the index listing
        # is read whole by `$(...)` (a `read` loop takes a system call per byte) and only looked at
        # line by line when some line starts with 160000. Names are printed as they are (quotePath
        # off), but one holding a `"`, `\`, tab or newline is still quoted: for such a gitlink the
        # scan prints QUOTED_GITLINK_KEY, a key git refuses on its command line (fail-safe)
        "  _o=$(command git " + shlex.join(safe_argv(["git"], (), policy)[1:]) + " -c core.quotePath=false ls-files -s 2>/dev/null)",
        '  case "',
        '$_o" in *"',
        '160000 "*) printf \'%s\\n\' "$_o" | while IFS= read -r _l; do case $_l in 160000*) _p=${_l#*	};'
        f' case $_p in \\"*) echo {QUOTED_GITLINK_KEY};; *)'
        ' [ -f "$_p/.git/config" ] && command git config --includes --name-only --file "$_p/.git/config"'
        ' --get-regexp "$_re";; esac;; esac; done 2>/dev/null;; esac',
        "  return 0",
        "}",
        f"{SHELL_FUNCTION}() {{",
        f'  if [ "${{{KEYS_VARIABLE}+set}}" = set ]; then _k=${KEYS_VARIABLE}; else _k=$({SCAN_FUNCTION}); fi',
        "  set -f",
        "  IFS='\n'",
        "  for _n in $_k; do",
        f'    case $_n in merge.*.driver) set -- -c "$_n={MERGE_DRIVER}" "$@" ;; *) set -- -c "$_n=" "$@" ;; esac',
        "  done",
        "  unset IFS",
        "  exec git " + shlex.join(safe_argv(["git"], (), policy)[1:]) + ' "$@"',
        "}",
    ]
    return "\n".join(lines) + "\n"


def shell_words(argv: Sequence[str]) -> list[str]:
    """The words that run `git ARGS` safely inside a script that starts with `shell_prelude()`."""
    return [SHELL_FUNCTION, *argv[1:]]
