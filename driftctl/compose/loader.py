"""Compose YAML -> plain data, the way compose-go's decoder sees it.

Why not `yaml.safe_load`: PyYAML speaks YAML 1.1, where `yes`/`on` are booleans, `22:22` is the
sexagesimal integer 1342 and `2024-01-01` a date; Compose (Go yaml.v3) reads them as strings. This
loader uses YAML 1.2 core-schema resolution, rejects duplicate keys like yaml.v3, and understands the
Compose tags `!reset` (drop the value inherited from earlier files) and `!override` (replace it
instead of merging). Any other local tag is an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from driftctl.compose.errors import ComposeError, where

try:  # libyaml is much faster on large files; the pure-Python parser behaves the same
    _Base: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.SafeLoader

Path = tuple[str, ...]


class _Reset:
    """Stands for a `!reset` node until the tags are extracted."""


@dataclass
class _Override:
    value: Any


_RESET = _Reset()


class _Loader(_Base):
    def flatten_mapping(self, node: yaml.MappingNode) -> None:
        """Remember how many keys the node itself spells before its `<<` keys are expanded.

        An anchored mapping may be flattened as part of another one before it is constructed, so
        the count is taken the first time the node is seen.
        """
        counts: dict[int, int] = self.__dict__.setdefault("own_keys", {})  # node id -> own keys
        if id(node) not in counts:
            counts[id(node)] = sum(1 for k, _ in node.value if k.tag != "tag:yaml.org,2002:merge")
        super().flatten_mapping(node)


_Loader.yaml_implicit_resolvers = {}
for _tag, _regexp, _first in (
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^[-+]?(?:0b[01_]+|0o[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*)$", "-+0123456789"),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+.0123456789",
    ),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:merge", r"^<<$", "<"),
):
    _Loader.add_implicit_resolver(_tag, re.compile(_regexp), list(_first))


def _int(loader: yaml.BaseLoader, node: yaml.ScalarNode) -> int | str:
    """Go's strconv.ParseInt(s, 0, 64) after dropping `_`, as yaml.v3 does (`0440` is octal)."""
    text = str(loader.construct_scalar(node))
    digits = text.replace("_", "")
    sign = -1 if digits.startswith("-") else 1
    digits = digits.lstrip("+-")
    base = 10
    if digits[:2].lower() in ("0x", "0o", "0b"):
        base = {"x": 16, "o": 8, "b": 2}[digits[1].lower()]
        digits = digits[2:]
    elif len(digits) > 1 and digits.startswith("0"):
        base = 8
    try:
        return sign * int(digits, base)
    except ValueError:
        return text  # e.g. `09`: not an integer for Go either, so it stays a string


def _float(loader: yaml.BaseLoader, node: yaml.ScalarNode) -> float:
    text = str(loader.construct_scalar(node)).lower()
    if text.endswith(".inf"):
        return float("-inf") if text.startswith("-") else float("inf")
    if text == ".nan":
        return float("nan")
    return float(text)


def _mapping(loader: Any, node: yaml.MappingNode) -> dict[str, Any]:
    """A mapping as yaml.v3 builds it: `<<` merge keys first, explicit keys override them.

    Only the node's own keys must be unique; a key that also comes from a merged mapping (`<<: *a`
    or `<<: [*a, *b]`, the first of the list winning) is simply overridden, whatever its position.
    """
    loader.flatten_mapping(node)
    first_own = len(node.value) - loader.own_keys[id(node)]
    out: dict[str, Any] = {}
    seen: set[str] = set()
    for i, (key_node, value_node) in enumerate(node.value):
        key = _key_text(loader.construct_object(key_node, deep=True))
        if i >= first_own:
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f'mapping key "{key}" already defined', key_node.start_mark
                )
            seen.add(key)
        out[key] = loader.construct_object(value_node, deep=True)
    return out


def _key_text(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return ""
    return str(key)


def _reset(loader: Any, node: yaml.Node) -> _Reset:
    return _RESET


def _override(loader: Any, node: yaml.Node) -> _Override:
    if isinstance(node, yaml.MappingNode):
        return _Override(_mapping(loader, node))
    if isinstance(node, yaml.SequenceNode):
        return _Override([loader.construct_object(n, deep=True) for n in node.value])
    tag = loader.resolve(yaml.ScalarNode, node.value, (True, False))
    plain = yaml.ScalarNode(tag, node.value, node.start_mark, node.end_mark, getattr(node, "style", None))
    return _Override(loader.construct_object(plain, deep=True))


def _unknown(loader: Any, tag_suffix: str, node: yaml.Node) -> Any:
    raise yaml.constructor.ConstructorError(None, None, f"unknown tag !{tag_suffix}", node.start_mark)


_Loader.add_constructor("tag:yaml.org,2002:int", _int)
_Loader.add_constructor("tag:yaml.org,2002:float", _float)
_Loader.add_constructor("tag:yaml.org,2002:map", _mapping)
_Loader.add_constructor("!reset", _reset)
_Loader.add_constructor("!override", _override)
_Loader.add_multi_constructor("!", _unknown)


@dataclass
class ComposeDocument:
    """One YAML document of a compose file: its data, plus the paths tagged `!reset` / `!override`."""

    file: str
    text: str
    data: dict[str, Any]
    resets: list[Path] = field(default_factory=list)
    overrides: list[Path] = field(default_factory=list)
    index: int = 0  # which `---` document of the file
    _nodes: list[yaml.Node] | None = field(default=None, init=False, repr=False, compare=False)

    def line_of(self, path: Path) -> int | None:
        """1-based line of `path` in the file; parsed again (once per document) only when a line is asked for."""
        from driftctl.yaml_source import line_of

        if self._nodes is None:
            try:
                self._nodes = list(yaml.compose_all(self.text, Loader=_Base))
            except yaml.YAMLError:
                self._nodes = []
        nodes = self._nodes
        if self.index >= len(nodes):
            return None
        parts: list[Any] = [int(p) if p.isdigit() else p for p in path]
        return line_of(nodes[self.index], tuple(parts))


def load_documents(file: str, text: str) -> list[ComposeDocument]:
    """Parse every `---` document of one compose file (Compose merges them in order, like `-f` files).

    Anchors do not cross documents (YAML scopes them per document, as yaml.v3 does). ComposeError
    with file and line on malformed YAML or unknown tags.
    """
    from driftctl.yaml_source import check_bounds

    try:
        check_bounds(text)  # alias bombs and deep nesting: one line, before anything is built
        raw = list(yaml.load_all(text, Loader=_Loader))  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise ComposeError(f"{where(file, mark.line + 1 if mark else None)}: invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise ComposeError(f"{where(file)}: invalid YAML: {exc}") from None
    # Without tags there is nothing to extract, and without aliases no value is shared between two
    # places (later steps change values in place), so the copying walk can be skipped.
    plain = "*" not in text and "!reset" not in text and "!override" not in text
    docs: list[ComposeDocument] = []
    for index, data in enumerate(raw or [None]):
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ComposeError(f"{where(file, 1)}: top-level object must be a mapping")
        doc = ComposeDocument(file, text, {}, index=index)
        doc.data = data if plain else _extract_tags(data, (), doc)
        docs.append(doc)
    return docs


def load_document(file: str, text: str) -> ComposeDocument:
    """Parse a single-document compose file (see load_documents)."""
    docs = load_documents(file, text)
    if len(docs) > 1:
        raise ComposeError(f"{where(file)}: expected a single YAML document")
    return docs[0]


def _extract_tags(value: Any, path: Path, doc: ComposeDocument) -> Any:
    """Remove `!reset` values and unwrap `!override` ones, recording their paths."""
    if isinstance(value, dict):
        items = [(k, k, v) for k, v in value.items()]
    elif isinstance(value, list):
        items = [(i, str(i), v) for i, v in enumerate(value)]
    else:
        return value
    kept: list[tuple[Any, Any]] = []
    for key, step, v in items:
        p = (*path, step)
        if v is _RESET:
            doc.resets.append(p)
            continue
        if isinstance(v, _Override):
            doc.overrides.append(p)
            v = v.value
        kept.append((key, _extract_tags(v, p, doc)))
    return dict(kept) if isinstance(value, dict) else [v for _, v in kept]
