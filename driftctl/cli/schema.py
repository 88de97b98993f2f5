"""`driftctl schema`: the JSON Schema of environments.yaml (for editors and CI validation)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    app.command("schema")(schema)


def schema() -> int:
    """Print the JSON Schema of environments.yaml, generated from the same model that validates it."""
    import json

    from driftctl.terminal import terminal

    terminal().data(json.dumps(config_schema(), indent=2))
    return 0


def config_schema() -> dict:
    """The Config model's schema without the fields load_config sets (they are not part of the file)."""
    from driftctl.config import Config

    doc = Config.model_json_schema()
    for internal in ("source", "base_dir"):
        doc.get("properties", {}).pop(internal, None)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://driftctl.invalid/schema/environments.v1.json",
        **doc,
        "title": "driftctl environments.yaml",
    }
