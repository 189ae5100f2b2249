"""The simulator's Files and Batch APIs: ``/v1/files`` and ``/v1/batches``.

Why in the simulator and not mocked: the batch path must be exercised through the
real ``openai`` client (multipart upload, pagination, typed batch objects) and
survive what a provider really does: an input file rejected while validating, a
batch that expires half done, a cancellation, lines that fail inside a completed
batch. Each line is answered by the chat endpoint's own logic (``SimServer._run_step``:
the default grounded brief, or a step a test scripts for that line), so a batch
answer and a live answer of the same article are the same brief.

States follow the provider: ``validating`` → ``in_progress`` → ``finalizing`` →
``completed``; ``failed`` when the input file is rejected; ``expired`` when the
window ends first (finished lines in the output file, the rest in the error file);
``cancelling`` → ``cancelled``. Time is advanced lazily, whenever a batch is read,
from the clock and the speeds below, so tests need no background thread and can
freeze a batch with ``hold``.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import sys
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

Answer = tuple[int, bytes, dict[str, str] | None]
# A test's per-line hook: (custom_id, body) -> a simulator Step, or None for the default.
LineHook = Callable[[str, dict[str, Any]], Any]

TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})


def _error(code: int, message: str, type_: str = "invalid_request_error") -> Answer:
    body = {"error": {"message": message, "type": type_, "param": None, "code": None}}
    return code, json.dumps(body).encode(), None


def _ok(payload: Any) -> Answer:
    return 200, json.dumps(payload).encode(), None


class BatchAPI:
    """Files and batches of one :class:`SimServer`.

    ``lines_per_second``: processing speed once in progress (None: every line at
    once). ``validate_seconds``/``finalize_seconds``: time spent in those states.
    ``expire_after``: seconds in progress before the batch expires (None: never).
    ``hold``: batches make no progress while True (a test flips it).
    ``reject_input``: the next N batches fail validation. ``on_line``: per-line hook.
    """

    def __init__(self, sim: Any) -> None:
        self.sim = sim
        self.steps = sys.modules[type(sim).__module__]  # Brief/Status of the sim's own module
        self.lines_per_second: float | None = None
        self.validate_seconds = 0.0
        self.finalize_seconds = 0.0
        self.expire_after: float | None = None
        self.hold = False
        self.reject_input = 0
        self.on_line: LineHook | None = None
        self.clock: Callable[[], float] = time.monotonic
        self.files: dict[str, dict[str, Any]] = {}
        self.contents: dict[str, bytes] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self._work: dict[str, dict[str, Any]] = {}  # batch id -> lines, answers, timing
        self.lines_answered = 0  # every line the simulator "paid" a model call for
        self._lock = threading.RLock()

    # -- routing -----------------------------------------------------------------

    def handle(self, method: str, path: str, query: str, raw: bytes, headers: Any) -> Answer:
        parts = path.strip("/").split("/")[1:]  # drop "v1"
        params = dict(p.split("=", 1) for p in query.split("&") if "=" in p)
        with self._lock:
            if parts[0] == "files":
                return self._files(method, parts[1:], raw, headers, params)
            return self._batches(method, parts[1:], raw, params)

    def _files(
        self, method: str, rest: list[str], raw: bytes, headers: Any, params: dict[str, str]
    ) -> Answer:
        if method == "POST" and not rest:
            return self._upload(raw, headers.get("Content-Type", ""))
        if method == "GET" and not rest:
            return _ok({"object": "list", "data": list(self.files.values()), "has_more": False})
        file = self.files.get(rest[0]) if rest else None
        if file is None:
            return _error(404, f"No such File object: {rest[0] if rest else ''}")
        if method == "GET" and len(rest) == 1:
            return _ok(file)
        if method == "GET" and rest[1:] == ["content"]:
            return 200, self.contents[file["id"]], {"Content-Type": "application/jsonl"}
        if method == "DELETE" and len(rest) == 1:
            del self.files[file["id"]]
            return _ok({"id": file["id"], "object": "file", "deleted": True})
        return _error(404, f"no route {method} /v1/files/{'/'.join(rest)}")

    def _upload(self, raw: bytes, content_type: str) -> Answer:
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw
        )
        fields: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            fields[name] = (part.get_filename(), part.get_payload(decode=True))
        if "file" not in fields:
            return _error(400, "multipart upload has no 'file' part")
        purpose = (fields.get("purpose") or (None, b""))[1].decode()
        filename, data = fields["file"]
        return _ok(self._store(data, filename or "upload.jsonl", purpose))

    def _store(self, data: bytes, filename: str, purpose: str) -> dict[str, Any]:
        file_id = f"file-sim{uuid.uuid4().hex[:20]}"
        self.files[file_id] = {
            "id": file_id,
            "object": "file",
            "bytes": len(data),
            "created_at": int(time.time()),
            "filename": filename,
            "purpose": purpose,
            "status": "processed",
        }
        self.contents[file_id] = data
        return self.files[file_id]

    def _batches(self, method: str, rest: list[str], raw: bytes, params: dict[str, str]) -> Answer:
        if method == "POST" and not rest:
            return self._create(raw)
        if method == "GET" and not rest:
            return self._list(params)
        batch = self.batches.get(rest[0]) if rest else None
        if batch is None:
            return _error(404, f"No such Batch object: {rest[0] if rest else ''}")
        if method == "GET" and len(rest) == 1:
            return _ok(self._advance(batch))
        if method == "POST" and rest[1:] == ["cancel"]:
            self._advance(batch)
            if batch["status"] in TERMINAL:
                return _error(409, f"Cannot cancel a batch with status {batch['status']}.")
            batch["status"] = "cancelling"
            batch["cancelling_at"] = int(time.time())
            return _ok(batch)
        return _error(404, f"no route {method} /v1/batches/{'/'.join(rest)}")

    def _list(self, params: dict[str, str]) -> Answer:
        limit = int(params.get("limit", 20))
        ordered = sorted(self.batches.values(), key=lambda b: b["_seq"], reverse=True)
        after = params.get("after")
        if after:
            ids = [b["id"] for b in ordered]
            ordered = ordered[ids.index(after) + 1 :] if after in ids else []
        page = [self._advance(b) for b in ordered[:limit]]
        return _ok(
            {
                "object": "list",
                "data": page,
                "first_id": page[0]["id"] if page else None,
                "last_id": page[-1]["id"] if page else None,
                "has_more": len(ordered) > limit,
            }
        )

    def _create(self, raw: bytes) -> Answer:
        try:
            body = json.loads(raw)
        except ValueError:
            return _error(400, "body must be JSON")
        file_id = body.get("input_file_id")
        if file_id not in self.files:
            return _error(400, f"input_file_id {file_id!r} does not exist")
        if body.get("completion_window") != "24h":
            return _error(400, "completion_window must be '24h'")
        endpoint = body.get("endpoint")
        if endpoint not in ("/v1/chat/completions", "/v1/responses"):
            return _error(400, f"endpoint {endpoint!r} is not supported")
        now = int(time.time())
        batch_id = f"batch_sim{uuid.uuid4().hex[:20]}"
        batch = {
            "id": batch_id,
            "object": "batch",
            "endpoint": endpoint,
            "errors": None,
            "input_file_id": file_id,
            "completion_window": "24h",
            "status": "validating",
            "output_file_id": None,
            "error_file_id": None,
            "created_at": now,
            "in_progress_at": None,
            "expires_at": now + 24 * 3600,
            "finalizing_at": None,
            "completed_at": None,
            "failed_at": None,
            "expired_at": None,
            "cancelling_at": None,
            "cancelled_at": None,
            "request_counts": {"total": 0, "completed": 0, "failed": 0},
            "metadata": body.get("metadata"),
            "_seq": len(self.batches),
        }
        self.batches[batch_id] = batch
        self._work[batch_id] = {
            "since": self.clock(),
            "lines": None,
            "done": [],
            "errors": [],
            "reject": self.reject_input > 0,
        }
        if self.reject_input > 0:
            self.reject_input -= 1
        return _ok(self._public(batch))

    # -- the state machine -------------------------------------------------------

    @staticmethod
    def _public(batch: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in batch.items() if not k.startswith("_")}

    def _advance(self, batch: dict[str, Any]) -> dict[str, Any]:
        """Move the batch along by the time elapsed since it entered its state."""
        work = self._work[batch["id"]]
        while not self.hold and self._step(batch, work):
            pass
        return self._public(batch)

    def _step(self, batch: dict[str, Any], work: dict[str, Any]) -> bool:
        """One transition if its time has come; ``since`` is when the current state
        began on the simulator's clock (not when it was noticed), so a batch read
        rarely ends up where one read often would."""
        now = self.clock()
        status = batch["status"]
        if status == "validating":
            if now - work["since"] < self.validate_seconds:
                return False
            work["since"] += self.validate_seconds
            problem = (
                "the input file was rejected" if work["reject"] else self._validate(work, batch)
            )
            if problem:
                batch.update(status="failed", failed_at=int(time.time()))
                batch["errors"] = {
                    "object": "list",
                    "data": [{"code": "invalid_input", "message": problem, "line": None}],
                }
                return False
            batch.update(status="in_progress", in_progress_at=int(time.time()))
            batch["request_counts"]["total"] = len(work["lines"])
            return True
        if status in ("in_progress", "cancelling"):
            if self.expire_after is not None:  # nothing is answered after the window ends
                now = min(now, work["since"] + self.expire_after)
            self._process(batch, work, now)
            if status == "cancelling":
                self._finish(batch, work, "cancelled", "batch_cancelled")
                return False
            total = len(work["lines"])
            if len(work["done"]) + len(work["errors"]) == total:
                batch.update(status="finalizing", finalizing_at=int(time.time()))
                if self.lines_per_second is not None:
                    work["since"] += total / self.lines_per_second
                else:
                    work["since"] = now
                return True
            if self.expire_after is not None and now - work["since"] >= self.expire_after:
                self._finish(batch, work, "expired", "batch_expired")
            return False
        if status == "finalizing" and now - work["since"] >= self.finalize_seconds:
            self._finish(batch, work, "completed", None)
        return False

    def _validate(self, work: dict[str, Any], batch: dict[str, Any]) -> str | None:
        lines: list[dict[str, Any]] = []
        seen: set[str] = set()
        models: set[str] = set()
        raw = self.contents[batch["input_file_id"]]
        for number, text in enumerate(raw.decode("utf-8", "replace").splitlines(), 1):
            if not text.strip():
                continue
            try:
                line = json.loads(text)
            except ValueError:
                return f"line {number}: not valid JSON"
            custom_id = line.get("custom_id")
            if not isinstance(custom_id, str) or custom_id in seen:
                return f"line {number}: custom_id missing or not unique"
            if line.get("method") != "POST" or line.get("url") != batch["endpoint"]:
                return f"line {number}: method must be POST and url {batch['endpoint']}"
            body = line.get("body")
            if not isinstance(body, dict) or not body.get("model"):
                return f"line {number}: body has no model"
            seen.add(custom_id)
            models.add(body["model"])
            lines.append(line)
        if not lines:
            return "the input file holds no requests"
        if len(models) > 1:
            return f"one model per file, found {sorted(models)}"
        work["lines"] = lines
        return None

    def _process(self, batch: dict[str, Any], work: dict[str, Any], now: float) -> None:
        lines = work["lines"]
        handled = len(work["done"]) + len(work["errors"])
        due = len(lines)
        if self.lines_per_second is not None:
            due = min(due, int((now - work["since"]) * self.lines_per_second))
        for line in lines[handled:due]:
            code, payload = self._answer(line)
            entry = {
                "id": f"batch_req_{uuid.uuid4().hex[:16]}",
                "custom_id": line["custom_id"],
                "response": {
                    "status_code": code,
                    "request_id": uuid.uuid4().hex,
                    "body": json.loads(payload),
                },
                "error": None,
            }
            (work["done"] if code == 200 else work["errors"]).append(entry)
            counts = batch["request_counts"]
            counts["completed" if code == 200 else "failed"] += 1

    def _answer(self, line: dict[str, Any]) -> tuple[int, bytes]:
        """One line, answered as the chat endpoint answers the same body."""
        self.lines_answered += 1
        step = self.on_line(line["custom_id"], line["body"]) if self.on_line else None
        if step is None or isinstance(step, self.steps.Hang | self.steps.DropConnection):
            step = self.steps.Brief()
        code, payload, _ = self.sim._run_step(step, line["body"])
        return code, payload

    def _finish(
        self, batch: dict[str, Any], work: dict[str, Any], status: str, missing_code: str | None
    ) -> None:
        """Write the output and error files and enter a terminal state."""
        errors = list(work["errors"])
        if missing_code is not None:
            answered = {e["custom_id"] for e in work["done"] + work["errors"]}
            for line in work["lines"] or []:
                if line["custom_id"] not in answered:
                    errors.append(
                        {
                            "id": f"batch_req_{uuid.uuid4().hex[:16]}",
                            "custom_id": line["custom_id"],
                            "response": None,
                            "error": {"code": missing_code, "message": f"batch {status}"},
                        }
                    )
        if work["done"]:
            text = "".join(json.dumps(e) + "\n" for e in work["done"])
            batch["output_file_id"] = self._store(text.encode(), "output.jsonl", "batch_output")[
                "id"
            ]
        if errors:
            text = "".join(json.dumps(e) + "\n" for e in errors)
            batch["error_file_id"] = self._store(text.encode(), "errors.jsonl", "batch_output")[
                "id"
            ]
        batch["status"] = status
        batch[f"{status}_at"] = int(time.time())
