"""The `notify:` section of environments.yaml. Credentials are never in the file: each channel names
the environment variable that holds its token or URL (`token_env`, `webhook_url_env`, `url_env`)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

_ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"


class _Channel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = Field(None, description="A label for messages and state (default: the type, numbered).")
    min_severity: Literal["critical", "moderate", "low"] = Field(
        "low", description="Lowest severity that is worth a message on this channel."
    )
    timeout: float = Field(10, gt=0, le=300, description="Seconds one delivery attempt may take.")
    retries: int = Field(3, ge=0, le=10, description="Extra attempts after a failed delivery (5xx, 429, network).")
    backoff: float = Field(1.0, ge=0, le=60, description="Seconds before the first retry; doubled each time.")


class TelegramChannel(_Channel):
    type: Literal["telegram"]
    token_env: str = Field(pattern=_ENV_NAME, description="Environment variable holding the bot token.")
    chat_id: str = Field(min_length=1, max_length=64, description="Chat, group or channel id (e.g. \"-1001234567890\").")
    api_url: str = Field("https://api.telegram.org", pattern=r"^https?://", description="Bot API base URL (proxies, tests).")


class SlackChannel(_Channel):
    type: Literal["slack"]
    webhook_url_env: str = Field(pattern=_ENV_NAME, description="Environment variable holding the incoming-webhook URL.")


class WebhookChannel(_Channel):
    type: Literal["webhook"]
    url_env: str = Field(pattern=_ENV_NAME, description="Environment variable holding the URL; the change set is POSTed as JSON.")


Channel = Annotated[TelegramChannel | SlackChannel | WebhookChannel, Field(discriminator="type")]


def channel_name(channel: _Channel, index: int) -> str:
    """A stable label: the configured name, else `<type>` (`<type>-2` for a second one of a type)."""
    kind = getattr(channel, "type", "channel")
    return channel.name or (kind if index == 0 else f"{kind}-{index + 1}")
