"""Secret detection and keyed fingerprints.

Two environments' secrets must be comparable without revealing them, so values that look secret are
replaced by an HMAC-SHA256 under a per-installation key kept outside reports/. The same key on the same
machine gives the same fingerprint for the same value, whichever transport brought it in.
"""

from __future__ import annotations

import fnmatch
import hashlib
import hmac
import math
import os
import re
import secrets as _stdlib_secrets
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from driftctl.settings import config_home

FINGERPRINT_PREFIX = "fp:"


def key_file() -> Path:
    explicit = os.environ.get("DRIFTCTL_FINGERPRINT_KEY_FILE")
    if explicit:
        return Path(explicit)
    return config_home() / "fingerprint.key"


_key_lock = threading.Lock()


@lru_cache(maxsize=4)
def _key(path: str) -> bytes:
    """The installation key, created on first use (0600). Environments are collected in threads,
    so creation is locked here and `O_EXCL` settles a race with another driftctl process."""
    p = Path(path)
    with _key_lock:
        for _ in range(2):
            try:
                return bytes.fromhex(p.read_text().strip())
            except FileNotFoundError:
                pass
            except (ValueError, OSError):
                break
            p.parent.mkdir(parents=True, exist_ok=True)
            key = _stdlib_secrets.token_bytes(32)
            try:
                fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                continue  # another process won: read its key
            with os.fdopen(fd, "w") as fh:
                fh.write(key.hex() + "\n")
            return key
    # An unreadable key file must not stop collection; fall back to a per-process key.
    return _stdlib_secrets.token_bytes(32)


def _current_key() -> bytes:
    """$DRIFTCTL_FINGERPRINT_KEY (a CI secret: the hex text of a key file) wins over the key file."""
    inline = os.environ.get("DRIFTCTL_FINGERPRINT_KEY", "").strip()
    if inline:
        try:
            return bytes.fromhex(inline)
        except ValueError:
            return inline.encode("utf-8")
    return _key(str(key_file()))


def fingerprint(value: str) -> str:
    """`fp:` + the first 16 hex digits of HMAC-SHA256(installation key, value)."""
    digest = hmac.new(_current_key(), value.encode("utf-8"), hashlib.sha256).hexdigest()
    return FINGERPRINT_PREFIX + digest[:16]


KEY_ID_INPUT = b"driftctl fingerprint key id v1"


def key_id() -> str:
    """A short public name of the key in use: HMAC of a constant under it. Snapshots record it, so
    fingerprints made under different keys (a laptop and CI) are known not to be comparable; the id
    says nothing about the key itself."""
    return hmac.new(_current_key(), KEY_ID_INPUT, hashlib.sha256).hexdigest()[:12]


def is_fingerprint(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FINGERPRINT_PREFIX) and len(value) == 19


# --------------------------------------------------------------------------------------------------
# Policy: the `secrets:` section of environments.yaml (names forced secret, names/values allowed)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SecretPolicy:
    """User rules on top of the detectors. `secret` patterns (fnmatch, case-insensitive) force names
    secret; `not_secret` patterns allow names, or whole values (fnmatch, case-sensitive), as clear text."""

    secret: tuple[str, ...] = ()
    not_secret: tuple[str, ...] = ()

    def forces(self, name: str) -> bool:
        return any(fnmatch.fnmatchcase(_norm(name), _norm(p)) for p in self.secret)

    def allows_name(self, name: str) -> bool:
        return any(fnmatch.fnmatchcase(_norm(name), _norm(p)) for p in self.not_secret)

    def allows_value(self, value: str) -> bool:
        return any(fnmatch.fnmatchcase(value, p) for p in self.not_secret)


def _norm(name: str) -> str:
    """`card-pin`, `card.pin` and `CARD_PIN` are one name (flags, labels and variables spell it differently)."""
    return re.sub(r"[-.]", "_", name.upper())


_policy = SecretPolicy()


def set_policy(secret: Iterable[str] = (), not_secret: Iterable[str] = ()) -> None:
    """Install the rules of the loaded config (one config per process; threads share it)."""
    global _policy
    _policy = SecretPolicy(tuple(secret), tuple(not_secret))


def policy() -> SecretPolicy:
    return _policy


# --------------------------------------------------------------------------------------------------
# Names: a name is split into words (`DB_PASSWORD`, `dbPassword`, `db-password` -> DB, PASSWORD)
# --------------------------------------------------------------------------------------------------

_SECRET_WORDS = frozenset({
    "TOKEN", "TOKENS", "SECRET", "SECRETS", "PASSWORD", "PASSWORDS", "PASSWD", "PASS", "PW", "PWD",
    "PASSPHRASE", "PASSCODE", "KEY", "KEYS", "APIKEY", "CREDENTIAL", "CREDENTIALS", "CREDS", "AUTH",
    "DSN", "PRIVATE", "SIGNING", "SIGNATURE", "SIG", "SALT", "PEPPER", "BEARER", "JWT", "OTP", "HMAC",
    "WEBHOOK", "WEBHOOKS", "MNEMONIC", "CONNSTR", "PRIVKEY", "APITOKEN", "SECRETKEY",
})
_SECRET_PAIRS = frozenset({("CONN", "STR"), ("CONN", "STRING"), ("CONNECTION", "STRING"), ("CONNECTION", "STR")})
# for names written without separators: `dbpassword`, `MYAPITOKEN`
_SECRET_FRAGMENTS = ("password", "passwd", "passphrase", "secret", "token", "apikey", "credential",
                     "privatekey", "accesskey", "connstr", "connectionstring")
# a last word that names something about the secret, not the secret: `DB_PASSWORD_FILE`, `TOKEN_TTL`
_HARMLESS_LAST = frozenset({"FILE", "FILES", "PATH", "DIR", "TTL", "TIMEOUT", "LENGTH", "EXPIRY", "EXPIRES",
                            "ENABLED", "MODE", "TYPE", "ID", "NAME", "VERSION", "ALGORITHM", "HEADER"})
# query parameters that carry credentials although their names say little
_SECRET_PARAMS = frozenset({"sig", "key", "code", "pw", "pass", "auth", "sv_sig", "x-goog-signature"})
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


def _words(name: str) -> list[str]:
    return [w.upper() for part in re.split(r"[^A-Za-z0-9]+", name) for w in _WORD.findall(part)]


def is_secret_name(name: str) -> bool:
    """True when a variable, label, argument or parameter name says its value is a credential."""
    return _is_secret_name(name, _policy)


@lru_cache(maxsize=8192)
def _is_secret_name(name: str, _policy: SecretPolicy) -> bool:
    """Cached per policy: the same names (env keys, labels) come back in every service and snapshot."""
    if not name:
        return False
    if _policy.allows_name(name):
        return False
    if _policy.forces(name):
        return True
    words = _words(name)
    if not words or (len(words) > 1 and words[-1] in _HARMLESS_LAST):
        return False
    if any(w in _SECRET_WORDS for w in words) or any(p in _SECRET_PAIRS for p in zip(words, words[1:])):
        return True
    flat = re.sub(r"[^a-z0-9]", "", name.lower())
    return any(f in flat for f in _SECRET_FRAGMENTS)


# --------------------------------------------------------------------------------------------------
# Values: known token formats, credentials in URLs, key=value pairs, random-looking strings
# --------------------------------------------------------------------------------------------------

# Whole matches are the secret (searched anywhere inside a string).
_TOKEN_FORMATS = re.compile(r"(?<![A-Za-z0-9])(?:" + "|".join([
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----(?:.*?-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|.*)",
    r"(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])",  # AWS key id
    r"gh[pousr]_[A-Za-z0-9]{30,}",  # GitHub tokens
    r"github_pat_[A-Za-z0-9_]{22,}",
    r"glpat-[A-Za-z0-9_-]{20,}",  # GitLab
    r"xox[abposrce]-[A-Za-z0-9-]{10,}",  # Slack tokens
    r"xapp-[A-Za-z0-9-]{10,}",
    r"(?:sk|rk|pk|whsec)_(?:live|test)_[A-Za-z0-9]{10,}",  # Stripe
    r"sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}",  # OpenAI / Anthropic style
    r"AIza[0-9A-Za-z_-]{35}",  # Google API key
    r"ya29\.[0-9A-Za-z_-]{20,}",  # Google OAuth access token
    r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*",  # JWT
    r"SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}",  # SendGrid
    r"npm_[A-Za-z0-9]{36}",
    r"(?:pypi|dop_v1|shpat|shpss)[-_][A-Za-z0-9_-]{20,}",
]) + r")|(?<![0-9])[0-9]{8,10}:[A-Za-z0-9_-]{30,}", re.DOTALL)  # the last one: Telegram bot tokens
# Every format above holds a run of 14+ token characters or a PEM header; a string with neither is not
# searched (most strings of a snapshot are short names and paths: this keeps redaction cheap).
_TOKEN_RUN = re.compile(r"[A-Za-z0-9_-]{14}")


def _may_hold_token(text: str) -> bool:
    return "PRIVATE KEY" in text or _TOKEN_RUN.search(text) is not None


# URLs whose path is the credential: only the `secret` group is replaced.
_WEBHOOK_URLS = re.compile(
    r"hooks\.slack\.com/(?:services|workflows|triggers)/(?P<secret>[A-Za-z0-9/_-]+)"
    r"|discord(?:app)?\.com/api/webhooks/(?P<secret2>[0-9]+/[A-Za-z0-9_-]+)"
    r"|api\.telegram\.org/(?:file/)?(?P<secret3>bot[^/\s]+)"
    r"|webhook\.office\.com/(?P<secret4>[^\s\"']+)",
    re.IGNORECASE,
)
_WEBHOOK_HINTS = ("hooks.slack.com", "discord", "api.telegram.org", "webhook.office.com")
_LONG_RUN = re.compile(r"[A-Za-z0-9+=_-]{24,}")
_URL_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/?#@\s\"']+)@")
_QUERY_PARAM = re.compile(r"(?P<lead>[?&#;])(?P<name>[A-Za-z0-9_.\-\[\]]+)=(?P<val>[^&#\s\"'<>]+)")
# KEY=value, KEY: value, --key=value, "key": "value" inside longer text (commands, healthchecks, labels)
_ASSIGNMENT = re.compile(
    r"(?<![A-Za-z0-9_.])(?P<key>[A-Za-z_][A-Za-z0-9_.-]*)[\"']?(?P<sep>[ \t]*=[ \t]*|:[ \t]*)"
    r"(?P<val>\"[^\"\n]*\"|'[^'\n]*'|[^\s&;,'\"<>()]+)"
)
_ASSIGNMENT_EQ = re.compile(
    r"(?<![A-Za-z0-9_.])(?P<key>[A-Za-z_][A-Za-z0-9_.-]*)[\"']?(?P<sep>[ \t]*=[ \t]*)(?P<val>\"[^\"\n]*\"|'[^'\n]*'|[^\s&;,'\"<>()]+)"
)
_FLAG_VALUE = re.compile(r"(?<![\w-])(?P<flag>--?[A-Za-z][\w-]*)[ \t]+(?P<val>\"[^\"\n]*\"|'[^'\n]*'|[^\s\"'-][^\s\"']*)")
_AUTH_SCHEME = re.compile(r"(?i)\b(?:bearer|basic|token)[ \t]+(?P<val>[A-Za-z0-9._~+/=-]{12,})")
_HEX = re.compile(r"(?<![0-9A-Za-z:])[0-9a-fA-F]{32,}(?![0-9A-Za-z])")
_RANDOM_RUN = re.compile(r"(?<![A-Za-z0-9+=_-])[A-Za-z0-9+=_-]{24,}(?![A-Za-z0-9+=_-])")
_WHOLE_RANDOM = re.compile(r"^[A-Za-z0-9+/=_.~-]{24,}$")


def _entropy(value: str) -> float:
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def _random_looking(value: str) -> bool:
    """A generated credential: long, three character classes, high Shannon entropy; never a path."""
    if value[:1] in "/.~" or is_fingerprint(value):
        return False
    classes = sum(bool(re.search(p, value)) for p in ("[a-z]", "[A-Z]", "[0-9]"))
    return classes >= 3 and _entropy(value) >= 4.0


def _hex_secret(value: str) -> bool:
    return bool(re.fullmatch(r"[0-9a-fA-F]{32,}", value)) and len(set(value.lower())) >= 8


def value_looks_secret(value: str) -> bool:
    """True when a value on its own (whatever its name) is, or contains, a credential."""
    if not value or is_fingerprint(value) or _policy.allows_value(value):
        return False
    if (_may_hold_token(value) and _TOKEN_FORMATS.search(value)) or _WEBHOOK_URLS.search(value):
        return True
    if "@" in value and any(":" in m["userinfo"] or _random_looking(m["userinfo"])
                            for m in _URL_USERINFO.finditer(value)):
        return True
    if "=" in value and any(_secret_param(m["name"]) for m in _QUERY_PARAM.finditer(value)):
        return True
    return _hex_secret(value) or bool(_WHOLE_RANDOM.match(value) and _random_looking(value))


def looks_secret(key: str, value: str | None) -> bool:
    """True when the name or the value says it is a credential."""
    if value is None or value == "" or is_fingerprint(value):
        return False
    if _policy.allows_value(value) or (key and _policy.allows_name(key)):
        return False
    return is_secret_name(key) or value_looks_secret(value)


def _secret_param(name: str) -> bool:
    return name.lower() in _SECRET_PARAMS or is_secret_name(name)


def protect(key: str, value: str | None) -> str | None:
    """The value as it may be stored: itself, or its fingerprint when it looks secret."""
    if value is not None and looks_secret(key, value):
        return fingerprint(value)
    return value


def protect_mapping(env: dict[str, str | None]) -> dict[str, str | None]:
    return {k: protect(k, v) for k, v in env.items()}


# --------------------------------------------------------------------------------------------------
# Redaction inside longer strings: only the secret part is replaced by its fingerprint
# --------------------------------------------------------------------------------------------------


def _fp_quoted(val: str) -> str:
    """Fingerprint a value that may carry its quotes; the quotes stay."""
    if len(val) >= 2 and val[0] == val[-1] and val[0] in "\"'":
        inner = val[1:-1]
        return val if _skip_value(inner) else val[0] + fingerprint(inner) + val[0]
    return val if _skip_value(val) else fingerprint(val)


def _skip_value(val: str) -> bool:
    """Nothing to hide: empty, already a fingerprint, a `$VAR` reference, or allowed by the rules."""
    return not val or is_fingerprint(val) or val.startswith("$") or _policy.allows_value(val)


def scrub_text(text: str, known: Iterable[str] = (), *, thorough: bool = True) -> str:
    """`text` with every secret part replaced by its fingerprint.

    `known` are secret values found elsewhere (taint: a value interpolated from a secret is secret).
    `thorough` adds the shape detectors that need a value context (40-hex tokens, random-looking
    strings); it is off for free text where commit ids and hashes are legitimate.
    """
    if not text or is_fingerprint(text):
        return text
    secrets = [k for k in known if len(k) >= 6]
    rules = _policy
    if not secrets and _clean.get((text, thorough)) is rules:
        return text
    scrubbed = _scrub_text(text, secrets, thorough)
    if scrubbed == text and not secrets and len(text) <= _CLEAN_LONGEST and _policy is rules:
        global _clean_chars
        if len(_clean) >= _CLEAN_MAX or _clean_chars > _CLEAN_CHARS:
            _clean.clear()
            _clean_chars = 0
        _clean[(text, thorough)] = rules
        _clean_chars += len(text)
    return scrubbed


# Texts scrub_text left as they were, with the policy they were checked under. A fleet's snapshots
# repeat most of their strings (commands, paths, versions), and scrubbing them is a large part of the
# controller's CPU per host. Only unchanged texts are kept: which parts are secret does not depend on
# the fingerprint key (only the fingerprints do), so a clean text stays clean under any key, and a
# new policy (set_policy) is a new object that no entry matches. Bounded: cleared when full.
_clean: dict[tuple[str, bool], SecretPolicy] = {}
_clean_chars = 0  # the texts' total length: the memory they hold is bounded too
_CLEAN_MAX = 16384
_CLEAN_CHARS = 2_000_000
_CLEAN_LONGEST = 1024


def _scrub_text(text: str, secrets: list[str], thorough: bool) -> str:
    text = redact(text, secrets)
    # each detector runs only when the cheap test for its necessary characters passes (speed)
    if _may_hold_token(text):
        text = _TOKEN_FORMATS.sub(lambda m: _fp_quoted(m.group(0)), text)
    low = text.lower()
    if any(h in low for h in _WEBHOOK_HINTS):
        text = _WEBHOOK_URLS.sub(_webhook_repl, text)
    if "@" in text and "://" in text:
        text = _URL_USERINFO.sub(_userinfo_repl, text)
    if "=" in text:
        text = _QUERY_PARAM.sub(
            lambda m: m.group(0) if not _secret_param(m["name"]) else f"{m['lead']}{m['name']}={_fp_quoted(m['val'])}",
            text)
    # `key: value` only where values are expected; in free text (`auth: fix login`) it is prose
    if "=" in text or (thorough and ":" in text):
        text = (_ASSIGNMENT if thorough else _ASSIGNMENT_EQ).sub(_assignment_repl, text)
    if "-" in text:
        text = _FLAG_VALUE.sub(
            lambda m: m.group(0) if not is_secret_name(m["flag"].lstrip("-")) else
            m.group(0)[: m.start("val") - m.start(0)] + _fp_quoted(m["val"]), text)
    if "bearer" in low or "basic" in low or "token" in low:
        text = _AUTH_SCHEME.sub(lambda m: m.group(0)[: m.start("val") - m.start(0)] + _fp_quoted(m["val"]), text)
    if thorough and _LONG_RUN.search(text):
        text = _HEX.sub(lambda m: fingerprint(m.group(0)) if _hex_secret(m.group(0)) and not _after_digest(text, m)
                        else m.group(0), text)
        text = _RANDOM_RUN.sub(lambda m: fingerprint(m.group(0)) if _random_looking(m.group(0)) else m.group(0), text)
    return text


def _after_digest(text: str, m: re.Match[str]) -> bool:
    """`sha256:<hex>` is a content digest (image ids), not a credential."""
    return text[max(0, m.start() - 7): m.start()].lower().endswith(("sha256:", "sha512:", "sha1:"))


def _webhook_repl(m: re.Match[str]) -> str:
    for group in ("secret", "secret2", "secret3", "secret4"):
        if m[group] and not is_fingerprint(m[group]):
            start, end = m.start(group) - m.start(0), m.end(group) - m.start(0)
            whole = m.group(0)
            return whole[:start] + fingerprint(m[group]) + whole[end:]
    return m.group(0)


def _userinfo_repl(m: re.Match[str]) -> str:
    user, sep, password = m["userinfo"].partition(":")
    if sep:
        if is_fingerprint(password) or not password:
            return m.group(0)
        return f"{m['scheme']}{user}:{fingerprint(password)}@"
    if is_secret_name(user) or value_looks_secret(user) or _random_looking(user) or len(user) >= 20:
        return f"{m['scheme']}{fingerprint(user)}@"
    return m.group(0)


def _assignment_repl(m: re.Match[str]) -> str:
    if not is_secret_name(m["key"]):
        return m.group(0)
    val = m["val"]
    if m["sep"].startswith(":") and val.startswith("//"):
        return m.group(0)  # a URL scheme (`auth://...`), handled by the URL detectors
    return m.group(0)[: m.start("val") - m.start(0)] + _fp_quoted(val)


def scrub_document(obj: Any) -> Any:
    """Every string of a document (a whole snapshot, an error) with known token formats and
    credentials in URLs, flags and `KEY=value` pairs fingerprinted: the last line of defence behind
    the collectors. Shapes that need a value context (hex, entropy) are left to the collectors, as
    commit ids and digests are legitimate here. Keys are kept."""
    if isinstance(obj, str):
        return scrub_text(obj, thorough=False)
    if isinstance(obj, dict):
        return {k: scrub_document(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [scrub_document(v) for v in obj]
    return obj


def redact_url(url: str) -> str:
    """A URL with its credentials fingerprinted: `https://user:fp:1a2b...@host/repo.git`.

    Git remotes often carry a token (`https://x:TOKEN@github.com/...` or `https://TOKEN@github.com/...`);
    the user name stays when it is a plain name, so two remotes can still be told apart. Credential
    query parameters (`?token=...`) and webhook paths are fingerprinted too.
    """
    return scrub_text(url, thorough=False)


def redact(text: str, known_secrets: Iterable[str]) -> str:
    """Replace every known secret value in free text (logs, error messages) by its fingerprint."""
    present = {v for v in known_secrets if len(v) >= 4 and v in text and not is_fingerprint(v)}
    for value in sorted(present, key=len, reverse=True):  # the longest first: one secret may contain another
        text = text.replace(value, fingerprint(value))
    return text


# --------------------------------------------------------------------------------------------------
# Documents: every string of a nested structure (compose services, container facts, env files)
# --------------------------------------------------------------------------------------------------

# Keys whose values are names of secrets (Compose's `secrets:`), not secret values.
_STRUCTURAL_KEYS = frozenset({"secrets", "configs", "credential_spec"})


def secret_values(obj: Any, key: str = "") -> set[str]:
    """The secret values inside a document: values of secret names, and values that look secret on
    their own. Used as taint: wherever else such a value appears, it is replaced too."""
    out: set[str] = set()
    if isinstance(obj, str):
        if not obj or is_fingerprint(obj):
            return out
        if key and is_secret_name(key) and key not in _STRUCTURAL_KEYS and not _policy.allows_value(obj):
            out.add(obj)
        elif value_looks_secret(obj):
            # A longer string holding a secret (`--token=<token>`, `a b <token>`) taints with the secret
            # part, so that part is replaced wherever it appears and the rest stays readable.
            parts = {p for p in _PARTS.split(obj) if p and value_looks_secret(p)} if _COMPOUND.search(obj) else set()
            out |= parts or {obj}
    elif isinstance(obj, dict):
        for k, v in obj.items():
            out |= secret_values(v, str(k))
    elif isinstance(obj, (list, tuple)):
        for item in obj:
            out |= secret_values(item, key)
    return out


def redact_tree(obj: Any, known: Iterable[str] = (), key: str = "") -> Any:
    """A copy of a document with every secret replaced by its fingerprint.

    A string under a secret name (`DB_PASSWORD`, a label `com.example.auth-token`, a build arg) is
    replaced whole; elsewhere only the secret part is (`--password=hunter2` -> `--password=fp:...`).
    Lists are read as argument vectors: the item after `--password` is a secret too.
    """
    known_set: set[str] | frozenset[str] = known if isinstance(known, (set, frozenset)) else set(known)
    if isinstance(obj, str):
        return _redact_string(key, obj, known_set)
    if isinstance(obj, dict):
        return {k: redact_tree(v, known_set, str(k)) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        out: list[Any] = []
        after_secret_flag = False
        for item in obj:
            if isinstance(item, str) and after_secret_flag and not _skip_value(item):
                out.append(fingerprint(item))
            else:
                out.append(redact_tree(item, known_set, key))
            after_secret_flag = isinstance(item, str) and bool(re.fullmatch(r"--?[A-Za-z][\w.-]*", item)) \
                and is_secret_name(item.lstrip("-"))
        return out
    return obj


def _redact_string(key: str, value: str, known: set[str] | frozenset[str]) -> str:
    if not value or is_fingerprint(value) or _policy.allows_value(value):
        return value
    if key and key not in _STRUCTURAL_KEYS and is_secret_name(key):
        return fingerprint(value)
    if value in known or (not _COMPOUND.search(value) and value_looks_secret(value)):
        return fingerprint(value)
    return scrub_text(value, known)  # a longer string: only the secret part is replaced


# A string made of several parts (a command line, a URL, `k=v` pairs) keeps its readable parts.
_COMPOUND = re.compile(r"[\s=,;]|://")
_PARTS = re.compile(r"[\s=,;]+")
