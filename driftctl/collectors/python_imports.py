"""Python imports of a service, resolved against the files one environment has (pure: text in, findings out).

Resolution rules for one import in file F of service root R:
  * absolute `import a.b` resolves when `a/b` exists as a module (`.py`, `.so`, `.pyd`) or folder
    (package or namespace dir) below R, below F's own folder (services run flat from their folder,
    so the script's folder is on sys.path) or below `R/src`;
  * else when its top-level name is in `sys.stdlib_module_names` (plus modules removed from recent
    Pythons, and pip/setuptools which every Python image has);
  * else when it is provided by a distribution the service declares in `requirements*.txt`,
    `requirements/*.txt` or `pyproject.toml` (names normalised as PEP 503; `python-X` provides `X`;
    KNOWN_PROVIDES maps the usual mismatches such as `python-telegram-bot` -> `telegram`);
  * relative `from .m import x` resolves against F's package (`..` climbs one folder per dot, never
    above R); `from . import x` also resolves when the package's `__init__.py` defines `x`.
The controller's own site-packages are never consulted: they say nothing about a remote host.

An unresolved import is reported only when the name looks local, because a service without declared
requirements may import any installed package: it is relative, or part of its dotted path exists
locally, or it ends in a copy-like suffix (`_working`, `_fixed`, `_v2`...), or it extends a local
module's name (`gateio_oi_provider_working` next to `gateio_oi_provider.py`), or the service
declares its requirements completely, so every third-party name is known.

Never reported: imports in a `try:` whose handlers catch ImportError (optional by design), imports
under `if TYPE_CHECKING:` (never run), and imports of test files (`test_*.py`, `conftest.py`,
`tests/`), whose dependencies are dev requirements the service image does not install.
"""

from __future__ import annotations

import ast
import copy
import posixpath
import re
import sys
import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from driftctl.input_digest import input_digest

if TYPE_CHECKING:
    from driftctl.collectors.code_health import CodeHealthData, MissingImport

MODULE_SUFFIXES = (".py", ".so", ".pyd")
REQUIREMENT_FILE = re.compile(r"^(requirements[^/]*\.txt|requirements/[^/]+\.txt|pyproject\.toml)$")  # relative to the root
COPY_SUFFIX = re.compile(r"_(working|fixed|fix|new|old|backup|bak|copy|orig|tmp|temp|local|prod|dev|final|v\d+)$")

# Modules every CPython image has, although the controller's Python may not list them: removed from
# the stdlib in 3.12/3.13 (a service on 3.11 still has them) or bundled by ensurepip.
EXTRA_STDLIB = frozenset({
    "distutils", "imp", "asynchat", "asyncore", "smtpd", "aifc", "audioop", "cgi", "cgitb", "chunk",
    "crypt", "imghdr", "mailcap", "msilib", "nis", "nntplib", "ossaudiodev", "pipes", "sndhdr", "spwd",
    "sunau", "telnetlib", "uu", "xdrlib", "lib2to3", "pip", "setuptools", "pkg_resources", "_distutils_hack",
})

# Normalised distribution name -> import names it provides, for distributions whose import name is
# not their own name (after normalisation) nor the name without a `python-` prefix / `-python` suffix.
KNOWN_PROVIDES: dict[str, frozenset[str]] = {
    k: frozenset(v.split())
    for k, v in {
        "python_telegram_bot": "telegram", "pyyaml": "yaml", "beautifulsoup4": "bs4", "pillow": "pil",
        "scikit_learn": "sklearn", "opencv_python": "cv2", "opencv_python_headless": "cv2", "pyjwt": "jwt",
        "psycopg2_binary": "psycopg2", "psycopg_binary": "psycopg", "pymongo": "pymongo bson gridfs",
        "protobuf": "google", "googleapis_common_protos": "google", "google_cloud_storage": "google",
        "google_api_python_client": "googleapiclient", "attrs": "attr attrs", "pycryptodome": "crypto",
        "pycryptodomex": "cryptodome", "pyopenssl": "openssl", "websocket_client": "websocket",
        "discord_py": "discord", "python_binance": "binance", "pyzmq": "zmq", "pyserial": "serial",
        "grpcio": "grpc", "mysqlclient": "mysqldb", "python_multipart": "multipart python_multipart",
        "python_dotenv": "dotenv", "dnspython": "dns", "pywin32": "win32api win32con pywintypes",
        "msgpack_python": "msgpack", "ta_lib": "talib", "faiss_cpu": "faiss", "setuptools": "setuptools pkg_resources",
    }.items()
}


# --------------------------------------------------------------------------------------------------
# Imports of one file (pure: text in, imports out).


class Import(NamedTuple):
    """One imported module: `from . import x` gives module `x` with level 1."""

    line: int
    module: str
    level: int


_PARSE_LOCK = threading.Lock()


def _parse(text: str) -> ast.Module:
    """`ast.parse`, one thread at a time: CPython 3.11 before 3.11.8 can fail with "AST constructor
    recursion depth mismatch" when threads parse at once (environments are collected concurrently)."""
    with _PARSE_LOCK:
        return ast.parse(text)


def parse_imports(text: str) -> list[Import]:
    """Imports the file needs at run time, in source order; optional ones are left out.

    A file Python 3 on this machine cannot parse (newer syntax, a broken file) falls back to its
    unindented import lines, which run unconditionally in any case. Results are cached by content:
    a fleet of hosts running the same code parses each file once.
    """
    return list(_cached_imports(text))


@lru_cache(maxsize=2048)
def _cached_imports(text: str) -> tuple[Import, ...]:
    try:
        tree = _parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return tuple(_import_lines(text))
    out: list[Import] = []
    _walk(tree, out)
    return tuple(out)


def _walk(node: ast.AST, out: list[Import]) -> None:
    for child in ast.iter_child_nodes(node):
        _visit(child, out)


def _visit(node: ast.AST, out: list[Import]) -> None:
    """Collect the imports of one node, skipping the branches that are optional by design."""
    if isinstance(node, ast.Try) and _catches_import_error(node):
        for part in (*node.handlers, *node.orelse, *node.finalbody):
            _visit(part, out)  # the fallback code itself must import
    elif isinstance(node, ast.If) and _is_type_checking(node.test):
        for part in node.orelse:
            _visit(part, out)
    elif isinstance(node, ast.Import):
        out.extend(Import(node.lineno, alias.name, 0) for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        out.extend(_from_import(node))
    else:
        _walk(node, out)


def _from_import(node: ast.ImportFrom) -> list[Import]:
    if node.module:
        return [Import(node.lineno, node.module, node.level)]
    return [Import(node.lineno, alias.name, node.level) for alias in node.names if alias.name != "*"]


def _catches_import_error(node: ast.Try) -> bool:
    """Does a handler catch ImportError (or its subclass / parents / everything)?"""
    catching = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}
    for handler in node.handlers:
        if handler.type is None:
            return True
        types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        if any(_dotted_tail(t) in catching for t in types):
            return True
    return False


def _is_type_checking(test: ast.expr) -> bool:
    return _dotted_tail(test) == "TYPE_CHECKING"


def _dotted_tail(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


_IMPORT_LINE = re.compile(r"^(?:import\s+(?P<names>[\w., ]+)|from\s+(?P<dots>\.*)(?P<module>[\w.]*)\s+import\s+(?P<what>.+))")


def _import_lines(text: str) -> list[Import]:
    out: list[Import] = []
    for number, line in enumerate(text.splitlines(), 1):
        match = _IMPORT_LINE.match(line)
        if not match:
            continue
        if match["names"]:
            names = [n.split(" as ")[0].strip() for n in match["names"].split(",")]
            out.extend(Import(number, n, 0) for n in names if n)
        elif match["module"]:
            out.append(Import(number, match["module"], len(match["dots"])))
        else:
            names = [n.split(" as ")[0].strip(" ()") for n in match["what"].split(",")]
            out.extend(Import(number, n, len(match["dots"])) for n in names if n and n != "*")
    return out


def defined_names(text: str) -> set[str]:
    """Names a module defines at top level (for `from . import x` where x lives in `__init__.py`)."""
    return set(_cached_names(text))


@lru_cache(maxsize=512)
def _cached_names(text: str) -> frozenset[str]:
    try:
        tree = _parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return frozenset()
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return frozenset(names)


# --------------------------------------------------------------------------------------------------
# Declared third-party distributions (pure).


def normalise(name: str) -> str:
    """PEP 503 name normalisation, with `_` so that it also compares with import names."""
    return re.sub(r"[-_.]+", "_", name).lower()


@dataclass
class Declared:
    """Import names the service's declared distributions provide; `complete` when fully known."""

    modules: set[str] = field(default_factory=set)
    found: bool = False
    unknown: bool = False

    @property
    def complete(self) -> bool:
        return self.found and not self.unknown

    def add(self, distribution: str) -> None:
        self.modules |= provided_modules(distribution)


def provided_modules(distribution: str) -> set[str]:
    norm = normalise(distribution)
    out = {norm, *KNOWN_PROVIDES.get(norm, ())}
    if norm.startswith("python_"):
        out.add(norm.removeprefix("python_"))
    if norm.endswith("_python"):
        out.add(norm.removesuffix("_python"))
    return out


_REQ_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_EGG = re.compile(r"#egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_INCLUDE = re.compile(r"^(?P<option>-r|--requirement|-c|--constraint)[\s=]*(?P<target>\S+)")


def _sibling(path: str, target: str) -> str:
    return posixpath.normpath(posixpath.join(posixpath.dirname(path), target))


def declared_packages(files: Mapping[str, str]) -> Declared:
    """What the requirement files (path -> text) of one service declare."""
    declared = Declared()
    for path, text in sorted(files.items()):
        if path.endswith("pyproject.toml"):
            _read_pyproject(text, declared)
        else:
            _read_requirements(path, text, files, declared)
    return declared


def _read_requirements(path: str, text: str, files: Mapping[str, str], declared: Declared) -> None:
    declared.found = True
    for line in text.replace("\\\n", " ").splitlines():
        line = line.split(" #")[0].strip()
        if not line or line.startswith("#"):
            continue
        include = _INCLUDE.match(line)
        if include:  # constraints (-c) declare nothing; an included file must be one we read
            if include["option"] in ("-r", "--requirement") and _sibling(path, include["target"]) not in files:
                declared.unknown = True
            continue
        if line.startswith("-"):
            egg = _EGG.search(line)
            if egg:
                declared.add(egg.group(1))
            elif line.startswith(("-e", "--editable")):
                declared.unknown = True
            continue
        match = _REQ_NAME.match(line)
        if match:
            declared.add(match.group(1))
        else:
            declared.unknown = True  # a bare URL or path: its import names are unknowable here


def _read_pyproject(text: str, declared: Declared) -> None:
    data = _load_toml(text)
    if data is None:
        declared.unknown = True
        return
    project = data.get("project") or {}
    poetry = (data.get("tool") or {}).get("poetry") or {}
    if not project and not poetry.get("dependencies"):
        return  # a pyproject for tool settings only declares nothing
    declared.found = True
    if "dependencies" in project.get("dynamic", []):
        declared.unknown = True
    for spec in _pyproject_requirements(data):
        match = _REQ_NAME.match(spec)
        if match:
            declared.add(match.group(1))


def _pyproject_requirements(data: dict) -> list[str]:
    project = data.get("project") or {}
    specs = list(project.get("dependencies") or [])
    for group in (project.get("optional-dependencies") or {}).values():
        specs += group
    for group in (data.get("dependency-groups") or {}).values():
        specs += [s for s in group if isinstance(s, str)]
    poetry = (data.get("tool") or {}).get("poetry") or {}
    groups = (poetry.get("group") or {}).values()
    tables = [poetry.get("dependencies") or {}, *((g or {}).get("dependencies") or {} for g in groups)]
    specs += [name for table in tables for name in table if name.lower() != "python"]
    return [s for s in specs if isinstance(s, str)]


def _load_toml(text: str) -> dict | None:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        try:
            import tomli as tomllib
        except ModuleNotFoundError:
            return None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None


# --------------------------------------------------------------------------------------------------
# Resolution (pure: a file tree and texts in, missing imports out).


def join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder not in ("", ".") else name


def under(root: str, path: str) -> bool:
    return root == "." or path.startswith(root + "/")


def relative_to(root: str, path: str) -> str:
    return path if root == "." else path[len(root) + 1 :]


def is_requirement_file(root: str, path: str) -> bool:
    """`requirements*.txt`, `requirements/*.txt` or `pyproject.toml` of the service root itself."""
    return under(root, path) and REQUIREMENT_FILE.match(relative_to(root, path)) is not None


def is_test_file(path: str) -> bool:
    name = posixpath.basename(path)
    parts = path.split("/")[:-1]
    return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py" or "tests" in parts or "test" in parts


class Tree:
    """The files present in an environment, queried as Python would look for modules."""

    def __init__(self, paths: Iterable[str]):
        self.modules: dict[str, set[str]] = defaultdict(set)  # folder ("" = checkout) -> module names
        self.dirs: set[str] = {""}
        for path in paths:
            folder, name = posixpath.split(path)
            if name.endswith(MODULE_SUFFIXES):
                self.modules[folder].add(name.split(".", 1)[0])
            while folder and folder not in self.dirs:
                self.dirs.add(folder)
                folder = posixpath.dirname(folder)

    def has_module(self, base: str, parts: list[str]) -> bool:
        """Is `a.b.c` (parts) a module or package below folder `base`?"""
        folder = "" if base == "." else base
        for i, part in enumerate(parts):
            if i == len(parts) - 1 and part in self.modules[folder]:
                return True
            folder = join(folder, part)
            if folder not in self.dirs:
                return False
        return True

    def has_prefix(self, base: str, parts: list[str]) -> bool:
        """Does the first part exist below `base` as a package (so the import is meant to be local)?"""
        return join("" if base == "." else base, parts[0]) in self.dirs

    def local_names(self, *folders: str) -> set[str]:
        return set().union(*(self.modules["" if f == "." else f] for f in folders))


@dataclass
class Service:
    """One service root with what its imports are resolved against."""

    root: str
    name: str
    tree: Tree
    texts: Mapping[str, str]
    declared: Declared

    def bases(self, importer: str) -> list[str]:
        """Folders Python searches for absolute imports of `importer` (flat layout, then src/)."""
        folder = posixpath.dirname(importer) or "."
        src = join(self.root, "src")
        return list(dict.fromkeys([self.root, folder, *([src] if src in self.tree.dirs else [])]))


def check_roots(roots: Mapping[str, str], paths: list[str], texts: Mapping[str, str]) -> CodeHealthData:
    """The collector's data: every root, how many modules were checked, and the missing imports.

    A pure function of its input, kept by it (see _CHECKED): the hosts of a fleet mostly run the same
    code, and resolving every import of every file is most of the code health collector's CPU per
    host. Each caller gets data of its own (a deep copy)."""
    key = _input_digest(roots, paths, texts)
    kept = _CHECKED.get(key)
    if kept is None:
        kept = _check_roots(roots, paths, texts)
        if len(_CHECKED) >= _CHECKED_MAX:
            _CHECKED.clear()
        _CHECKED[key] = copy.deepcopy(kept)
        return kept
    return copy.deepcopy(kept)


_CHECKED: dict[bytes, CodeHealthData] = {}  # by _input_digest: the sources themselves are not kept
_CHECKED_MAX = 16


def _input_digest(roots: Mapping[str, str], paths: list[str], texts: Mapping[str, str]) -> bytes:
    """The memo key of check_roots' whole input (see driftctl.input_digest)."""
    return input_digest([len(roots), *(x for item in roots.items() for x in item), len(paths), *paths, len(texts),
                         *(x for item in sorted(texts.items(), key=lambda item: item[0]) for x in item)])


def _check_roots(roots: Mapping[str, str], paths: list[str], texts: Mapping[str, str]) -> CodeHealthData:
    tree = Tree(paths)
    checked = 0
    missing: list[MissingImport] = []
    for root, name in roots.items():
        count, found = check_service(root, name, tree, texts)
        checked += count
        missing += found
    missing.sort(key=lambda m: (m["service"], m["file"], m["line"], m["module"]))
    return {"roots": list(roots), "modules_checked": checked, "missing": missing}


def check_service(root: str, name: str, tree: Tree, texts: Mapping[str, str]) -> tuple[int, list[MissingImport]]:
    """(modules checked, missing imports) of one service root."""
    mine = {p: t for p, t in texts.items() if under(root, p)}
    service = Service(root, name, tree, mine, declared_packages({p: t for p, t in mine.items() if is_requirement_file(root, p)}))
    sources = sorted(p for p in mine if p.endswith(".py") and not is_test_file(relative_to(root, p)))
    missing: list[MissingImport] = [
        {"service": name, "file": path, "line": imp.line, "module": "." * imp.level + imp.module}
        for path in sources
        for imp in parse_imports(mine[path])
        if not resolves(imp, path, service) and looks_local(imp, path, service)
    ]
    return len(sources), missing


def resolves(imp: Import, importer: str, service: Service) -> bool:
    parts = imp.module.split(".")
    if imp.level:
        base = relative_base(importer, imp.level, service.root)
        return base is not None and (service.tree.has_module(base, parts) or defined_in_package(base, parts, service))
    if any(service.tree.has_module(b, parts) for b in service.bases(importer)):
        return True
    top = parts[0]
    return top in sys.stdlib_module_names or top in EXTRA_STDLIB or normalise(top) in service.declared.modules


def relative_base(importer: str, level: int, root: str) -> str | None:
    """The package folder `from <dots>` refers to, or None when it climbs above the service root."""
    folder = posixpath.dirname(importer)
    for _ in range(level - 1):
        if folder in ("", root):
            return None
        folder = posixpath.dirname(folder)
    return folder if root == "." or under(root, folder + "/") else None


def defined_in_package(base: str, parts: list[str], service: Service) -> bool:
    init = service.texts.get(join(base, "__init__.py"))
    return len(parts) == 1 and init is not None and parts[0] in defined_names(init)


def looks_local(imp: Import, importer: str, service: Service) -> bool:
    """Is an unresolved import a missing file rather than a package this host may have installed?"""
    if imp.level or service.declared.complete:
        return True
    parts = imp.module.split(".")
    top = parts[0]
    bases = service.bases(importer)
    if len(parts) > 1 and any(service.tree.has_prefix(b, parts) for b in bases):
        return True
    if COPY_SUFFIX.search(top):
        return True
    return any(top.startswith(name + "_") for name in service.tree.local_names(*bases))
