"""Where settings come from: arguments, then environment, then a config file.

The config file is TOML, at ``$SUMMARIZER_CONFIG`` or ``<user config dir>/summarizer/
config.toml``::

    model = "gpt-4o-mini"
    base_url = "http://127.0.0.1:8080/v1"   # any OpenAI-compatible server
    api_key_env = "MY_PROVIDER_KEY"          # read the key from this variable
    cache = "~/briefs/cache.sqlite3"
    server = "llama.cpp"                     # only for llama.cpp servers: see SERVER_KINDS
    context_window = 8192                    # what the server serves (long articles are split)

    [models."my-local-model"]                # add or override pricing/context entries
    context_window = 32768
    input_per_mtok = 0
    output_per_mtok = 0

Keys are never written to the config by summarizer, and never logged or cached.
When nothing names a model, an endpoint or a key, the offline analyzer runs: the
first command works on a fresh machine with no network.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from summarizer.errors import ConfigError

OFFLINE = "offline"
DEFAULT_API_MODEL = "gpt-4o-mini"
# Servers that get a non-standard request field: llama.cpp's (and llama-cpp-python's)
# json_object mode enforces a "schema" given beside the type, with a grammar.
SERVER_KINDS = ("llama.cpp",)


@dataclass(frozen=True)
class Settings:
    model: str
    base_url: str | None
    api_key: str | None = field(repr=False)
    cache_path: str | None
    model_overrides: dict[str, dict[str, Any]]
    offline_because_unconfigured: bool = False
    # The kind of server behind base_url when it matters ("llama.cpp"), else None.
    server: str | None = None
    context_window: int | None = None  # the config's plain ``context_window`` key

    def __post_init__(self) -> None:
        # Credentials in the URL are never sent (httpx would turn them into Basic auth
        # and replace the Bearer key the user configured) nor printed or stored.
        if self.base_url:
            object.__setattr__(self, "base_url", redact_url(self.base_url, keep=False))

    @property
    def offline(self) -> bool:
        return self.model == OFFLINE


def config_path() -> Path:
    explicit = os.environ.get("SUMMARIZER_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("summarizer", appauthor=False)) / "config.toml"


def read_config(path: Path | None = None) -> dict[str, Any]:
    path = path or config_path()
    if not path.exists():
        if os.environ.get("SUMMARIZER_CONFIG"):
            raise ConfigError(f"{path}: config file named by SUMMARIZER_CONFIG does not exist")
        return {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from exc


def resolve(
    *,
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    cache_path: str | None = None,
    config: dict[str, Any] | None = None,
) -> Settings:
    """Merge the three sources; the first that sets a value wins."""
    file = read_config() if config is None else config
    env = os.environ
    key_variable = file.get("api_key_env", "OPENAI_API_KEY")
    resolved_key = api_key or env.get(key_variable) or env.get("OPENAI_API_KEY")
    resolved_url = base_url or env.get("OPENAI_BASE_URL") or file.get("base_url")
    resolved_model = model or env.get("SUMMARIZER_MODEL") or file.get("model")
    unconfigured = resolved_model is None and not resolved_url and not resolved_key
    if unconfigured:
        resolved_model = OFFLINE
    elif resolved_model is None:
        resolved_model = DEFAULT_API_MODEL
    server = env.get("SUMMARIZER_SERVER") or file.get("server") or None
    if server is not None and server not in SERVER_KINDS:
        raise ConfigError(
            f"server {server!r} is not a known kind (known: {', '.join(SERVER_KINDS)}); "
            "set SUMMARIZER_SERVER or the config's 'server' key only for those"
        )
    overrides = file.get("models", {})
    if not isinstance(overrides, dict):
        raise ConfigError(f"{config_path()}: [models] must be a table of model entries")
    context_window = file.get("context_window")
    if context_window is not None and (
        isinstance(context_window, bool)
        or not isinstance(context_window, int)
        or context_window < 1
    ):
        raise ConfigError(f"{config_path()}: context_window must be a positive integer")
    return Settings(
        context_window=context_window,
        model=str(resolved_model),
        base_url=resolved_url,
        api_key=resolved_key,
        cache_path=cache_path or env.get("SUMMARIZER_CACHE") or file.get("cache"),
        model_overrides=overrides,
        offline_because_unconfigured=unconfigured,
        server=server,
    )


OFFLINE_NOTICE = (
    "No model configured: using the built-in offline analyzer (rule-based, no network). "
    "For an LLM, set OPENAI_API_KEY (and optionally SUMMARIZER_MODEL), or pass "
    "--base-url http://HOST:PORT/v1 --model NAME for any OpenAI-compatible server."
)


def endpoint_host(base_url: str | None) -> str:
    """The host (and port) of an endpoint: what provenance records, never a credential."""
    if not base_url:
        return "api.openai.com"
    parts = urlsplit(base_url)
    host = parts.hostname or base_url
    return f"{host}:{parts.port}" if parts.port else host


def redact_url(url: str, *, keep: bool = True) -> str:
    """``url`` without its ``user:password@`` part: replaced by ``***@`` when ``keep``
    (to show that there was one), dropped otherwise."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2]
    netloc = f"***@{host}" if keep else host
    return urlunsplit(parts._replace(netloc=netloc))


# Options whose value is a secret: never shown, even in a lock file or a log.
_SECRET_OPTIONS = ("--api-key",)


def redact_argv(argv: list[str]) -> list[str]:
    """A command line fit to show: secret option values and URL credentials hidden."""
    shown: list[str] = []
    hide_next = False
    for arg in argv:
        if hide_next:
            shown.append("***")
            hide_next = False
        elif arg in _SECRET_OPTIONS:
            shown.append(arg)
            hide_next = True
        elif arg.startswith(tuple(f"{o}=" for o in _SECRET_OPTIONS)):
            shown.append(arg.partition("=")[0] + "=***")
        else:
            shown.append(redact_url(arg) if "://" in arg else arg)
    return shown
