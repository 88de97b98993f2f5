"""Load YAML with limits and line numbers, so validation errors can say `file:line: key: problem`.

Limits (both config and compose go through `check_bounds`): an alias bomb (`a: &a [*b, *b, ...]`)
is tiny on disk but expands to billions of nodes for anything that walks the data, and deep nesting
(`[[[[...]]]]`) exhausts the recursion of every recursive reader. One streaming pass over the parser
events (no recursion, no data built) measures both before anything is constructed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from driftctl.errors import ConfigError
from driftctl.limits import one_line, read_text, safe_path

MAX_DEPTH = 100  # nesting levels; real compose files and configs use fewer than 15
MAX_NODES = 1_000_000  # nodes once every alias is expanded

try:  # libyaml's parser is fast and iterative
    _EventLoader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _EventLoader = yaml.SafeLoader


class YAMLBoundsError(yaml.MarkedYAMLError):
    """Too deep or too large once aliases are expanded; a MarkedYAMLError so callers word it as any
    other YAML problem (`file:line: invalid YAML: ...`)."""


def check_bounds(text: str, *, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES) -> None:
    """Raise YAMLBoundsError if `text` nests deeper than `max_depth` or its aliases expand to more
    than `max_nodes` nodes. Syntax errors are left for the real load to report."""
    if _surely_within(text, max_depth, max_nodes):
        return
    anchors: dict[str, int] = {}
    stack: list[list[Any]] = [[None, 0]]  # [anchor, expanded size] per open collection
    try:
        events = yaml.parse(text, Loader=_EventLoader)
        for event in events:
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                if len(stack) > max_depth:
                    raise YAMLBoundsError(problem=f"nested deeper than {max_depth} levels", problem_mark=event.start_mark)  # type: ignore[arg-type]
                stack.append([event.anchor, 1])
                continue
            if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                anchor, size = stack.pop()
            elif isinstance(event, yaml.ScalarEvent):
                anchor, size = event.anchor, 1
            elif isinstance(event, yaml.AliasEvent):
                anchor, size = None, anchors.get(event.anchor or "", 1)
            else:
                continue
            if anchor:
                anchors[anchor] = size
            stack[-1][1] += size
            if stack[-1][1] > max_nodes:
                raise YAMLBoundsError(
                    problem=f"aliases expand to more than {max_nodes} nodes (an alias bomb?)",
                    problem_mark=event.start_mark,  # type: ignore[arg-type]
                )
    except YAMLBoundsError:
        raise
    except yaml.YAMLError:
        return  # the real load reports it with its own words


_LINE_PREFIX = re.compile(r"^[ \t?:-]+", re.MULTILINE)


def _surely_within(text: str, max_depth: int, max_nodes: int) -> bool:
    """A bound read off the text without parsing it (the event pass costs a fifth of resolving a
    large compose file). Without an alias (`*`) every node takes at least one character of the text
    (an empty entry still spells `-`, `?` or `,`), so len(text) + 1 bounds the nodes. Every flow
    collection opens with `[` or `{` (never the `{` of `${`, which sits inside a scalar); a block collection nests by indentation or a compact `- `,
    `? `, `: ` on its line, and every two levels move its content at least one column right, so the
    longest run of spaces and indicators that starts a line bounds the block nesting. Both bounds
    only ever overcount (brackets inside strings, indented block scalars): anything they cannot
    clear takes the exact event pass."""
    if "*" in text or len(text) + 1 > max_nodes:
        return False
    flows = text.count("[") + text.count("{") - text.count("${")  # `${VAR}` is inside a scalar
    if flows >= max_depth:
        return False
    indent = max(map(len, _LINE_PREFIX.findall(text)), default=0)
    return 2 * (indent + 2) + flows < max_depth


def duplicate_key(node: yaml.Node | None) -> tuple[str, int] | None:
    """(key, line) of the first key defined twice in one mapping, walking the node tree iteratively."""
    seen: set[int] = set()
    todo = [node] if node is not None else []
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, yaml.MappingNode):
            keys: set[str] = set()
            for key_node, value_node in current.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                    if key_node.value in keys:
                        return key_node.value, key_node.start_mark.line + 1
                    keys.add(key_node.value)
                todo += [key_node, value_node]
        elif isinstance(current, yaml.SequenceNode):
            todo += current.value
    return None


def _compose_and_construct(text: str) -> tuple[yaml.Node | None, Any]:
    """One parse (libyaml's, where PyYAML has it) for both the node tree and the data: what
    `yaml.safe_load` does after composing, on the node already composed. A config names every
    environment of a fleet, and two pure-Python parses of it cost ~0.5 ms per environment."""
    loader = _EventLoader(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def load_with_lines(path: Path) -> tuple[Any, yaml.Node | None]:
    """Parse `path` once into (plain data, node tree). The node tree only serves `line_of`.

    The file must be a regular file under the config size cap, UTF-8, within the YAML bounds and
    without duplicate keys; each problem is one ConfigError line.
    """
    shown = safe_path(path)
    if not path.exists() and not path.is_symlink():
        raise ConfigError(f"{shown}: file not found")
    text = read_text(path, "config file", ConfigError, kind="config")
    try:
        check_bounds(text)
        node, data = _compose_and_construct(text)
        dup = duplicate_key(node)
        if dup:
            raise ConfigError(f"{shown}:{dup[1]}: duplicate key {one_line(repr(dup[0]), 80)}")
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise ConfigError(f"{shown}{line}: invalid YAML: {one_line(problem, 200)}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{shown}: invalid YAML: {one_line(str(exc), 200)}") from None
    except RecursionError:
        raise ConfigError(f"{shown}: invalid YAML: nested too deeply") from None
    return data, node


def line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """1-based line of the deepest node reachable along `loc` (keys and list indexes)."""
    best = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if str(key_node.value) == str(part):
                    node = value_node
                    best = key_node.start_mark.line + 1
                    break
            else:
                return best
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            best = node.start_mark.line + 1
        else:
            return best
    return best
