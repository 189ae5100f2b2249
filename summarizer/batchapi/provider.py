"""The provider's Files and Batch APIs, through the ``openai`` client.

Works against OpenAI, a LiteLLM proxy (``/v1/files``, ``/v1/batches``) and the
test simulator alike: only the documented calls are used, and every answer is
turned into a plain dict so nothing downstream depends on the SDK's types.
Transport errors become one-line :class:`ModelError` messages naming the endpoint.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from summarizer.config import Settings, endpoint_host
from summarizer.errors import ModelError
from summarizer.options import TransportOptions


class Provider:
    def __init__(self, settings: Settings, transport: TransportOptions) -> None:
        import openai

        self.endpoint = endpoint_host(settings.base_url)
        self._openai = openai
        self._client = openai.OpenAI(
            base_url=settings.base_url,
            api_key=settings.api_key or "not-needed",
            timeout=transport.timeout,
            max_retries=max(0, transport.max_attempts - 1),  # control calls are idempotent reads
        )

    def _call(self, what: str, function: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except self._openai.APIStatusError as exc:
            raise ModelError(
                f"{self.endpoint}: {what}: HTTP {exc.status_code}: {exc.message}"
            ) from None
        except self._openai.APIConnectionError as exc:
            raise ModelError(
                f"{self.endpoint}: {what}: cannot connect ({exc.__cause__ or exc})"
            ) from None

    def upload(self, path: Path) -> str:
        with path.open("rb") as handle:
            file = self._call(
                f"uploading {path.name}",
                self._client.files.create,
                file=(path.name, handle),
                purpose="batch",
            )
        return str(file.id)

    def create(self, file_id: str, window: str, metadata: dict[str, str]) -> dict[str, Any]:
        batch = self._call(
            f"creating a batch from {file_id}",
            self._client.batches.create,
            input_file_id=file_id,
            endpoint="/v1/chat/completions",
            completion_window=window,
            metadata=metadata,
        )
        return dict(batch.model_dump())

    def retrieve(self, batch_id: str) -> dict[str, Any]:
        return dict(
            self._call(f"reading {batch_id}", self._client.batches.retrieve, batch_id).model_dump()
        )

    def cancel(self, batch_id: str) -> dict[str, Any]:
        return dict(
            self._call(f"cancelling {batch_id}", self._client.batches.cancel, batch_id).model_dump()
        )

    def batches(self) -> Iterator[dict[str, Any]]:
        """Every batch of the account, newest first (auto-paginated)."""
        page = self._call("listing batches", self._client.batches.list, limit=100)
        for batch in page:
            yield dict(batch.model_dump())

    def download(self, file_id: str, target: Path) -> Path:
        """A file's content streamed to ``target`` (whole or not at all)."""
        partial = target.with_name(target.name + ".part")

        def fetch() -> None:
            stream = self._client.files.with_streaming_response.content(file_id)
            with stream as response, partial.open("wb") as out:
                for block in response.iter_bytes():
                    out.write(block)

        self._call(f"downloading {file_id}", fetch)
        partial.replace(target)
        return target

    def close(self) -> None:
        self._client.close()
