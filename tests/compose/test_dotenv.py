"""parse_dotenv(): the godotenv dialect Compose uses (not python-dotenv's)."""

from __future__ import annotations

import json

import pytest

from driftctl.compose import parse_dotenv
from driftctl.compose.dotenv import DotenvError
from tests.compose.helpers import HERE


def test_quotes_escapes_comments_and_export() -> None:
    text = (
        "# comment\n"
        "export A=1\n"
        "B='single $A \\n'\n"
        'C="double $A\\tend"\n'
        "D=unquoted # inline comment\n"
        "E=no#comment\n"
        'F="multi\nline"\n'
        "G: yaml-style\n"
        'H="\\$literal"\n'
    )
    assert parse_dotenv(text) == {
        "A": "1",
        "B": "single $A \\n",
        "C": "double 1\tend",
        "D": "unquoted",
        "E": "no#comment",
        "F": "multi\nline",
        "G": "yaml-style",
        "H": "$literal",
    }


def test_shell_wins_for_expansion_but_not_for_the_key_itself() -> None:
    shell = {"A": "shell", "INHERITED": "from-shell"}
    env = parse_dotenv("A=file\nB=${A}\nINHERITED\nMISSING\n", shell.get)
    assert env == {"A": "file", "B": "shell", "INHERITED": "from-shell"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("lol$wut", 'line 1: unexpected character "$" in a variable name'),
        ('A=1\nKEY="open', "line 2: unterminated quoted value"),
        ("MY KEY=1\n", "line 1: key cannot contain a space"),
    ],
)
def test_errors_name_the_line(text: str, message: str) -> None:
    with pytest.raises(DotenvError) as info:
        parse_dotenv(text)
    assert str(info.value).startswith(message)


CASES = json.loads((HERE / "conformance" / "dotenv.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_reference_vectors(case: dict) -> None:
    """Each file is parsed with the shell env as lookup; later files override earlier keys."""
    env = case["env"]
    contents = [case["content"], *case.get("extra_contents", [])]
    if case["error"]:
        with pytest.raises(DotenvError):
            for text in contents:
                parse_dotenv(text, env.get)
        return
    result: dict = {}
    for text in contents:
        result.update(parse_dotenv(text, env.get))
    assert result == case["expected"]
