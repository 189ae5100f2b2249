"""Self-hosted batches: ``summarizer batch-file export`` and ``batch-file import``.

Why files and no server: ``vllm run-batch`` (``python -m
vllm.entrypoints.openai.run_batch -i requests.jsonl -o results.jsonl --model M``)
reads and writes the provider batch format, so a GPU box can do the work with no
endpoint to keep up. ``export`` writes exactly the lines ``run --batch-api`` would
upload, plus a manifest beside them (``requests.jsonl.manifest.json``: the input
folder, the model options, and which paths each ``custom_id`` stands for);
``import`` reads the results file through the same judge, cache, writer and report.

A file round trip has no follow-up batch, so ``import`` makes no re-asks: an
answer that is ungrounded is kept with warnings, one that is invalid fails, and a
line missing from the results fails; exporting again writes only what is not done.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import click

from summarizer.errors import ArticleError, ConfigError

MANIFEST_SUFFIX = ".manifest.json"
VERSION = 1


def batch_file_group(
    model_options: Callable[[Any], Any],
    user_errors: Callable[[Any], Any],
    build_summarizer: Callable[[dict[str, Any]], Any],
    failed_code: int,
) -> click.Group:
    """The ``batch-file`` group, given the main CLI's shared flags and helpers (passed
    in, not imported: summarizer.cli imports this module)."""

    @click.group("batch-file")
    def batch_file() -> None:
        """Request and result files in the batch format, for `vllm run-batch` and the like."""

    @batch_file.command("export")
    @click.argument("input_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
    @click.option(
        "--out", "-o", "out_file", required=True, type=click.Path(dir_okay=False, path_type=Path)
    )
    @click.option("--glob", "patterns", multiple=True, help="Only files matching this glob.")
    @model_options
    @user_errors
    def export(input_dir: Path, out_file: Path, patterns: tuple[str, ...], **options: Any) -> None:
        """Write the request lines for every article under INPUT_DIR not cached yet."""
        from summarizer.batch.walk import walk_entries
        from summarizer.batchapi.requests import LineBuilder, custom_id
        from summarizer.input.loader import SUPPORTED_SUFFIXES, load_article

        summarizer = build_summarizer(options)
        builder = LineBuilder(summarizer)
        lines: dict[str, list[str]] = {}
        cached = failed = 0
        with out_file.open("wb") as handle:
            for entry in walk_entries(
                input_dir, list(patterns) or ["*"], out_file.parent.resolve()
            ):
                if entry.skip or entry.fail or entry.path.suffix.lower() not in SUPPORTED_SUFFIXES:
                    continue
                try:
                    article = load_article(entry.path)
                    key = summarizer.generation_key(article)
                    name = custom_id(key, 0)
                    if name in lines:
                        lines[name].append(entry.relative)
                        continue
                    if summarizer.cached_result(article, key) is not None:
                        cached += 1
                        continue
                    data, _ = builder.line(key, 0, article, [])
                except ArticleError as exc:
                    failed += 1
                    click.echo(f"summarizer: {entry.relative}: {exc.reason}", err=True)
                    continue
                handle.write(data)
                lines[name] = [entry.relative]
        generation = asdict(summarizer.generation)
        manifest = {
            "version": VERSION,
            "input_dir": str(input_dir.resolve()),
            "patterns": list(patterns) or ["*"],
            "base_url": summarizer.settings.base_url,
            "generation": {**generation, "model": summarizer.model},
            "lines": lines,
        }
        manifest_path = out_file.with_name(out_file.name + MANIFEST_SUFFIX)
        manifest_path.write_text(json.dumps(manifest) + "\n", encoding="utf-8")
        summarizer.close()
        click.echo(
            f"summarizer: {len(lines)} requests in {out_file} ({cached} cached, "
            f"{failed} unreadable or too long); manifest {manifest_path}",
            err=True,
        )

    @batch_file.command("import")
    @click.argument("results", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option(
        "--out", "-o", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path)
    )
    @click.option(
        "--manifest",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="The manifest export wrote (default: the one *.manifest.json beside RESULTS).",
    )
    @click.option("--cache", "cache_path", type=click.Path(dir_okay=False))
    @click.option("--no-cache", is_flag=True)
    @user_errors
    def import_(
        results: Path, out_dir: Path, manifest: Path | None, cache_path: str | None, no_cache: bool
    ) -> None:
        """Read a results file (vLLM run-batch or a provider's output) into --out."""
        from summarizer.batch.lock import OutputLock, prepare_output
        from summarizer.batchapi.collect import Collector
        from summarizer.batchapi.engine import BatchApiRun
        from summarizer.batchapi.outputs import write_outputs
        from summarizer.batchapi.requests import LineBuilder
        from summarizer.batchapi.state import Chunk, Line
        from summarizer.options import BatchApiOptions, GenerationOptions
        from summarizer.pipeline import Summarizer

        data = json.loads(_manifest(results, manifest).read_text(encoding="utf-8"))
        if data.get("version") != VERSION:
            raise ConfigError(f"{manifest}: not a batch-file manifest of this version")
        generation = GenerationOptions(**data["generation"])
        summarizer = Summarizer(
            generation=generation,
            base_url=data["base_url"],
            cache=False if no_cache else (cache_path or True),
        )
        input_dir = Path(data["input_dir"])
        run = BatchApiRun(summarizer, input_dir, out_dir, patterns=data["patterns"])
        prepare_output(input_dir, out_dir)
        with OutputLock(out_dir):
            mode = LineBuilder(summarizer).mode
            state = run.open_state(mode)
            chunk = Chunk(
                name=f"import-{len(state.chunks) + 1:04}",
                lines=0,
                tokens=0,
                bytes=results.stat().st_size,
                status="completed",
                output_file_id=str(results.resolve()),
            )
            for name, inputs in data["lines"].items():
                key = _key_for(run, inputs, name)
                if key is None:
                    continue
                line = state.lines.setdefault(key, Line(key=key, inputs=list(inputs)))
                if line.status != "done":
                    line.status, line.chunk, line.round, line.followups = "sent", chunk.name, 0, []
                    chunk.lines += 1
            state.chunks.append(chunk)
            options = replace(BatchApiOptions(), max_line_retries=0)
            collector = Collector(
                state,
                lambda path, _chunk: Path(path),
                summarizer,
                options,
                mode,
                run._load,
                may_reask=False,  # a file round trip has no follow-up batch
            )
            counts = collector.collect(chunk)
            report = write_outputs(run)
        summarizer.close()
        click.echo(
            f"summarizer: {counts['done']} answers imported, "
            f"{counts['failed'] + counts['resend']} failed; {report['ok']} of "
            f"{report['inputs']} inputs ok; see {out_dir / 'index.jsonl'}",
            err=True,
        )
        if report["failed"]:
            raise SystemExit(failed_code)

    return batch_file


def _manifest(results: Path, given: Path | None) -> Path:
    if given is not None:
        return given
    found = sorted(results.parent.glob(f"*{MANIFEST_SUFFIX}"))
    if len(found) != 1:
        raise ConfigError(
            f"{results}: pass --manifest (found {len(found)} *{MANIFEST_SUFFIX} files beside it)"
        )
    return found[0]


def _key_for(run: Any, inputs: list[str], name: str) -> str | None:
    """The full cache key of a manifest line, from its article as it is now."""
    from summarizer.batchapi.requests import parse_custom_id
    from summarizer.input.loader import load_article

    parsed = parse_custom_id(name)
    for relative in inputs:
        try:
            article = load_article(run.input_dir / relative)
        except (ArticleError, OSError):
            continue
        key = run.summarizer.generation_key(article)
        if parsed is not None and key.startswith(parsed[0]):
            return key
    return None
