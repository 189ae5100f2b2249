"""A local, misbehaving OpenAI chat-completions server for fault tests and benchmarks.

Why a real HTTP server and not a mocked client: the retry/re-ask layer must be
exercised through the real ``openai`` client and its HTTP stack (timeouts, connection
drops, status-code to exception mapping, ``Retry-After`` headers), which a patched
method cannot reproduce. Why standard library only: benchmarks start this file as a
subprocess (``python tests/openai_sim.py ...``) so that the simulator's CPU does not
mix with the client's, and it must run from any interpreter without installing a web
framework.

Two uses:

* **Scripted faults** (in-process, background thread)::

      with SimServer() as sim:
          sim.script(status(429, headers={"Retry-After": "1"}), content("not json"))
          client = openai.OpenAI(base_url=sim.base_url, api_key="test", max_retries=0)
          ...

  Each incoming chat request consumes one scripted step; when the script is empty the
  server answers with a schema-valid, grounded brief built from the request's article.

* **Load simulation**: latency and jitter, RPM/TPM sliding-window limits answered with
  429 + ``Retry-After``, and a seeded random error rate.

Order of decisions for ``POST /v1/chat/completions`` (documented because fault tests
rely on it):

1. unreadable JSON body or no ``messages`` -> 400;
1b. the provider's own checks (``rules=ProviderRules(...)``, see ``sim_provider``): a
   wrong key -> 401, an unknown model -> 404, ``max_tokens`` or ``temperature`` to a
   reasoning model -> 400, a refused ``json_schema`` -> 400 "Invalid schema";
2. ``reject_json_schema`` and ``response_format.type == "json_schema"`` -> 500
   (does not consume a scripted step, capacity or latency);
3. a scripted step, if any is queued. Scripted steps are deterministic: they bypass
   the limits, the error rate and the latency (use ``hang`` to delay an answer);
4. no ``<article>``/``</article>`` block -> 400; then the context switches, if any
   (``context=ContextLimits(...)``, tests/sim_context.py): too long -> 400, or the
   prompt silently cut;
5. RPM/TPM limits -> 429 (a rejected request consumes no capacity);
6. ``error_rate`` -> 500 or 503 (the request has already consumed capacity, as with
   a real provider);
7. latency + jitter, then the default brief.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import random
import re
import signal
import socket
import struct
import sys
import threading
import time
import traceback
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sim_context import ContextLimits  # beside this file: tests/ is on sys.path either way
from sim_provider import ProviderRules, check_auth, check_chat

__all__ = [
    "Brief",
    "Content",
    "DropConnection",
    "Hang",
    "RecordedRequest",
    "SimServer",
    "Status",
    "Step",
    "brief",
    "content",
    "drop_connection",
    "hang",
    "status",
]

# --------------------------------------------------------------------------- steps


@dataclass(frozen=True)
class Status:
    """Answer with ``code``; ``body`` is a dict (sent as JSON) or raw str/bytes.

    When ``body`` is None an OpenAI-style ``{"error": {...}}`` body is generated so
    the client can build its usual exception message.
    """

    code: int
    body: Mapping[str, Any] | str | bytes | None = None
    headers: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Hang:
    """Accept the request, sleep ``seconds``, then answer ``then`` (default brief if None).

    The sleep is interrupted by ``SimServer.stop()``, in which case the connection is
    closed without an answer, so a hanging handler never delays shutdown.
    """

    seconds: float
    then: Step | None = None


@dataclass(frozen=True)
class Content:
    """A 200 completion whose message content is exactly ``text``."""

    text: str
    finish_reason: str = "stop"


@dataclass(frozen=True)
class Brief:
    """The default brief passed through ``mutate`` (which may edit in place and return None)."""

    mutate: Callable[[dict[str, Any]], dict[str, Any] | None] | None = None
    finish_reason: str = "stop"


@dataclass(frozen=True)
class DropConnection:
    """Close the socket without answering; ``reset=True`` sends a TCP RST instead of FIN."""

    reset: bool = False


Step = Status | Hang | Content | Brief | DropConnection


def status(
    code: int,
    body: Mapping[str, Any] | str | bytes | None = None,
    headers: Mapping[str, str] | None = None,
) -> Status:
    """Scripted HTTP error (or any status), e.g. ``status(429, headers={"Retry-After": "1"})``."""
    return Status(code, body, dict(headers) if headers else None)


def hang(seconds: float, then: Step | None = None) -> Hang:
    """Scripted slow answer, for client-timeout tests."""
    return Hang(seconds, then)


def content(text: str, finish_reason: str = "stop") -> Content:
    """Scripted completion text: malformed JSON, fenced JSON, truncated output, ..."""
    return Content(text, finish_reason)


def brief(
    mutate: Callable[[dict[str, Any]], dict[str, Any] | None] | None = None,
    finish_reason: str = "stop",
) -> Brief:
    """Scripted default brief after ``mutate``, e.g. to plant an ungrounded evidence quote."""
    return Brief(mutate, finish_reason)


def drop_connection(reset: bool = False) -> DropConnection:
    """Scripted connection loss with no HTTP answer at all."""
    return DropConnection(reset)


# ---------------------------------------------------------------------- recording


@dataclass
class RecordedRequest:
    """One request as the server saw it.

    ``status`` is filled in when the answer is sent; it stays None when the connection
    was dropped (scripted, or a hang interrupted by ``stop()``). ``time`` is wall-clock
    ``time.time()`` at receipt so it can be compared with a client's own timestamps.
    ``client`` is the peer (host, port): equal ports mean a reused keep-alive connection.
    ``step`` names the scripted step used ("status", "hang", ...) or is None.
    """

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    time: float
    client: tuple[str, int]
    status: int | None = None
    step: str | None = None


# ------------------------------------------------------------------ default brief

_SENTENCE = re.compile(r"[^\s][^\n]*?[.!?]+[\"”’')\]]*(?=\s|$)")
_NAME = re.compile(r"\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+)+")
# Words that start a capitalised run without being part of a name.
# fmt: off
_NAME_STOP = frozenset({
    "The", "A", "An", "In", "On", "At", "But", "And", "However", "This", "That", "It", "He",
    "She", "They", "We", "If", "When", "While", "After", "Before", "As", "For", "Despite",
    "Although", "Recent", "Reports",
})
# fmt: on
_SCAN_CHARS = 4000  # only the article's opening is scanned: keeps a brief ~O(1)


def extract_article(text: str) -> str | None:
    """The text between the LAST line ``<article>`` and the following line ``</article>``.

    Why the last pair: a re-ask conversation (or an article quoting the prompt) may
    contain earlier pairs; the prompt template puts the real article last.
    """
    end = len(text)
    while True:
        close = text.rfind("</article>", 0, end)
        if close < 0:
            return None
        after = close + len("</article>")
        if (close == 0 or text[close - 1] == "\n") and (
            after == len(text) or text[after] in "\r\n"
        ):
            open_ = close
            while True:
                open_ = text.rfind("<article>", 0, open_)
                if open_ < 0:
                    return None
                o_after = open_ + len("<article>")
                if (open_ == 0 or text[open_ - 1] == "\n") and text[o_after : o_after + 1] in (
                    "\n",
                    "\r",
                ):
                    start = o_after + (2 if text.startswith("\r\n", o_after) else 1)
                    return text[start : close - 1 if close > start else start]
        end = close


def build_brief(article: str) -> dict[str, Any]:
    """A schema-valid brief whose evidence quotes are verbatim sentences of ``article``.

    Cheap on purpose (a few regex scans over the first few KB): the simulator must
    answer hundreds of requests per second on two cores.
    """
    lines = article.strip().splitlines()
    headline = lines[0].strip() if lines else ""
    first_nl = article.find(headline) + len(headline)
    body = article[first_nl : first_nl + _SCAN_CHARS]
    sentences = [m.group(0) for m in _SENTENCE.finditer(body, 0)][:5]

    names: list[str] = []
    for m in _NAME.finditer(" ".join(sentences) or body):  # sentences: skip subheadings
        name = m.group(0)
        if name.split(" ", 1)[0] in _NAME_STOP or name in names:
            continue
        names.append(name)
        if len(names) == 2:
            break
    if names:
        stakeholders = [
            {"id": f"s{i}", "name": n, "type": "other", "role": None, "stance": None}
            for i, n in enumerate(names, 1)
        ]
    else:
        stakeholders = [
            {"id": "s1", "name": "the article", "type": "other", "role": None, "stance": None}
        ]

    evidence = sentences[:3] or [headline]
    claims = [
        {
            "id": f"c{i}",
            "statement": s,
            "claimant": "s1" if names and names[0] in s else None,
            "attribution": None,
            "evidence": s,
            "certainty": "reported",
        }
        for i, s in enumerate(evidence, 1)
    ]
    return {
        "headline": headline,
        "summary": " ".join(sentences[:2]) or headline,
        "stakeholders": stakeholders,
        "key_claims": claims,
        "uncertainty": {"overall": "low", "items": []},
    }


def _error_body(
    message: str, type_: str, code: str | None = None, param: str | None = None
) -> bytes:
    return json.dumps(
        {"error": {"message": message, "type": type_, "param": param, "code": code}}
    ).encode()


_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
}

# What llama-cpp-python's server says when response_format.type is "json_schema".
_LLAMA_CPP_REJECT = (
    "[{'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), "
    "'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema', "
    "'ctx': {'expected': \"'text' or 'json_object'\"}}]"
)


class _Dropped(Exception):
    """Raised inside a handler to close the connection without an answer."""


# ------------------------------------------------------------------------ handler


class _Handler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive handler; every answer carries Content-Length so pooled
    clients (httpx) reuse connections instead of paying a TCP handshake per request."""

    protocol_version = "HTTP/1.1"
    server_version = "openai-sim/1.0"
    sys_version = ""
    # One buffered write per response plus TCP_NODELAY: avoids the Nagle/delayed-ACK
    # 40 ms stall that a header write followed by a body write would cause.
    wbufsize = -1
    disable_nagle_algorithm = True
    server: _Httpd

    def setup(self) -> None:
        super().setup()
        self.server.sim._track(self.connection, add=True)

    def finish(self) -> None:
        self.server.sim._track(self.connection, add=False)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Silenced: a benchmark at 1000 req/s must not spend its CPU on logging."""

    # -- plumbing

    def _send(self, code: int, body: bytes, headers: Mapping[str, str] | None = None) -> None:
        self.send_response(code)
        has_ct = False
        if headers:
            for k, v in headers.items():
                has_ct = has_ct or k.lower() == "content-type"
                if k.lower() != "content-length":
                    self.send_header(k, str(v))
        if not has_ct:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def _drop(self, reset: bool = False) -> None:
        """Close without answering: FIN by default, RST (linger 0) when ``reset``.

        For RST the socket is closed here; the real close happens when ``finish()``
        releases rfile/wfile, before socketserver's own ``shutdown(SHUT_WR)`` could
        send a FIN.
        """
        self.close_connection = True
        with contextlib.suppress(OSError):
            if reset:
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.connection.close()
            else:
                self.connection.shutdown(socket.SHUT_RDWR)

    def _record(self, body: Any) -> RecordedRequest:
        rec = RecordedRequest(
            method=self.command,
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            time=time.time(),
            client=(self.client_address[0], self.client_address[1]),
        )
        self.server.sim._add_record(rec)
        return rec

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    # -- methods

    def _batch_api(self, raw: bytes) -> bool:
        """``/v1/files`` and ``/v1/batches`` are answered by sim_batches.py."""
        path, _, query = self.path.partition("?")
        if not path.startswith(("/v1/files", "/v1/batches")):
            return False
        rec = self._record(None)
        code, payload, headers = self.server.sim.batch_api.handle(
            self.command, path.rstrip("/"), query, raw, self.headers
        )
        rec.status = code
        self._send(code, payload, headers)
        return True

    def do_DELETE(self) -> None:
        if not self._batch_api(self._read_body()):
            self._send(404, _error_body(f"no route {self.path}", "not_found_error"))

    def do_GET(self) -> None:
        if self._batch_api(b""):
            return
        rec = self._record(None)
        path = self.path.split("?", 1)[0].rstrip("/")
        refused = check_auth(self.server.sim.rules, rec.headers)
        if refused is not None:
            rec.status = refused[0]
            self._send(*refused)
        elif path == "/v1/models":
            body = json.dumps(
                {
                    "object": "list",
                    "data": [
                        {
                            "id": m,
                            "object": "model",
                            "created": 0,
                            "owned_by": "openai-sim",
                            **_context_fields(self.server.sim.context),
                        }
                        for m in self.server.sim.models
                    ],
                }
            ).encode()
            rec.status = 200
            self._send(200, body)
        elif path in ("/health", "/v1/health"):
            rec.status = 200
            self._send(200, b'{"status":"ok"}')
        else:
            rec.status = 404
            self._send(404, _error_body(f"no route {self.path}", "not_found_error"))

    def do_POST(self) -> None:
        raw = self._read_body()
        if self._batch_api(raw):
            return
        path = self.path.split("?", 1)[0].rstrip("/")
        sim = self.server.sim
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = None
        rec = self._record(body)
        if path not in ("/v1/chat/completions", "/chat/completions"):
            code, payload, headers = (
                404,
                _error_body(f"no route {self.path}", "not_found_error"),
                None,
            )
        else:
            try:
                with sim._in_flight():
                    code, payload, headers = sim._chat(body, rec)
            except _Dropped as exc:
                sim._count(None)
                self._drop(reset=bool(exc.args and exc.args[0]))
                return
            except Exception:
                traceback.print_exc()
                sim.handler_errors.append(traceback.format_exc())
                code = 500
                payload = _error_body("openai_sim bug, see stderr", "sim_internal_error")
                headers = None
            sim._count(code)
        rec.status = code
        with contextlib.suppress(OSError):
            self._send(code, payload, headers)


class _Httpd(ThreadingHTTPServer):
    """Thread per connection; daemon threads and no join on close so that a handler
    sleeping in ``hang`` can never hold up shutdown or process exit."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 256
    allow_reuse_address = True
    sim: SimServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Client hang-ups are normal here (timeouts, drops); only print real bugs."""
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError):
            return
        super().handle_error(request, client_address)


# ------------------------------------------------------------------------- server


class SimServer:
    """The simulator. See the module docstring for the order of decisions.

    Thread-safe: every handler thread shares one lock for the script queue, the
    records, the limiter windows, the stats and the seeded RNG.
    """

    def __init__(
        self,
        *,
        latency: float = 0.0,
        jitter: float = 0.0,
        rpm: int | None = None,
        tpm: int | None = None,
        error_rate: float = 0.0,
        reject_json_schema: bool = False,
        seed: int = 0,
        host: str = "127.0.0.1",
        port: int = 0,
        window: float = 60.0,
        token_counter: Callable[[str], int] | None = None,
        record: bool = True,
        models: tuple[str, ...] = ("sim-model",),
        rules: ProviderRules | None = None,
        context: ContextLimits | None = None,
    ) -> None:
        """``window`` (seconds) is the sliding window of rpm/tpm, 60 like real providers;
        tests shrink it to see capacity come back. ``record=False`` keeps memory flat in
        long benchmark runs (``requests`` stays empty, ``stats()`` still counts)."""
        self.latency = max(0.0, latency)
        self.jitter = max(0.0, jitter)
        self.rpm = rpm or None
        self.tpm = tpm or None
        self.error_rate = error_rate
        self.reject_json_schema = reject_json_schema
        self.window = window
        self.token_counter = token_counter
        self.record = record
        self.models = models
        self.rules = rules or ProviderRules()
        self.context = context  # context-window switches, see tests/sim_context.py
        self.host = host
        self.port = port
        self.requests: list[RecordedRequest] = []
        self.handler_errors: list[str] = []
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._script: deque[Step] = deque()
        self._window: deque[tuple[float, int]] = deque()
        self._window_tokens = 0
        self._stats: dict[str, Any] = {
            "requests": 0,
            "ok": 0,
            "rate_limited": 0,
            "errors": 0,
            "tokens_accepted": 0,
            "first_ok_at": None,
            "last_ok_at": None,
            "max_in_flight": 0,
        }
        self._handling = 0
        self._stop = threading.Event()
        self._conns: set[socket.socket] = set()
        self._httpd: _Httpd | None = None
        self._thread: threading.Thread | None = None
        from sim_batches import BatchAPI  # /v1/files and /v1/batches

        self.batch_api = BatchAPI(self)

    # -- lifecycle

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT/v1``, what ``openai.OpenAI(base_url=...)`` expects."""
        return f"http://{self.host}:{self.port}/v1"

    def start(self) -> SimServer:
        """Bind (port 0 picks a free port) and serve from a daemon thread."""
        if self._httpd is not None:
            return self
        self._stop.clear()
        httpd = _Httpd((self.host, self.port), _Handler)
        httpd.sim = self
        self._httpd = httpd
        self.port = httpd.server_address[1]
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
            name=f"openai-sim:{self.port}",
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop promptly: wake sleeping handlers, close idle keep-alive connections."""
        httpd = self._httpd
        if httpd is None:
            return
        self._stop.set()
        httpd.shutdown()
        with self._lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=2)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> SimServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- scripting and reporting

    def script(self, *steps: Step) -> None:
        """Queue steps; each chat request consumes one, then default behaviour resumes."""
        with self._lock:
            self._script.extend(steps)

    @property
    def pending(self) -> int:
        """Scripted steps not consumed yet (tests assert it reaches 0)."""
        with self._lock:
            return len(self._script)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        """The chat-completion requests received so far, in arrival order."""
        with self._lock:
            return [r for r in self.requests if r.path.endswith("/chat/completions")]

    @contextlib.contextmanager
    def _in_flight(self) -> Iterator[None]:
        with self._lock:
            self._handling += 1
            self._stats["max_in_flight"] = max(self._stats["max_in_flight"], self._handling)
        try:
            yield
        finally:
            with self._lock:
                self._handling -= 1

    def stats(self) -> dict[str, Any]:
        """Counters for benchmark reports.

        ``requests``: chat requests received; ``ok``: answered 200; ``rate_limited``:
        answered 429 (limiter or script); ``errors``: any other non-2xx answer or a
        dropped connection; ``tokens_accepted``: tokens counted against TPM (prompt +
        requested max tokens) of requests the limiter admitted; ``first_ok_at`` /
        ``last_ok_at``: ``time.time()`` of the first/last 200, for throughput;
        ``max_in_flight``: the most chat requests being handled at one moment.
        """
        with self._lock:
            return dict(self._stats)

    # -- internals used by the handler

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._conns.add(conn)
            else:
                self._conns.discard(conn)

    def _add_record(self, rec: RecordedRequest) -> None:
        if self.record:
            with self._lock:
                self.requests.append(rec)

    def _count(self, code: int | None) -> None:
        with self._lock:
            s = self._stats
            s["requests"] += 1
            if code is not None and 200 <= code < 300:
                s["ok"] += 1
                now = time.time()
                if s["first_ok_at"] is None:
                    s["first_ok_at"] = now
                s["last_ok_at"] = now
            elif code == 429:
                s["rate_limited"] += 1
            else:
                s["errors"] += 1

    def _sleep(self, seconds: float) -> bool:
        """Sleep unless stopping; False means the server is shutting down."""
        if seconds <= 0:
            return not self._stop.is_set()
        return not self._stop.wait(seconds)

    def _chat(self, body: Any, rec: RecordedRequest) -> tuple[int, bytes, dict[str, str] | None]:
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            return (
                400,
                _error_body(
                    "request body must be a JSON object with a 'messages' list",
                    "invalid_request_error",
                    param="messages",
                ),
                None,
            )
        refused = check_auth(self.rules, rec.headers) or check_chat(self.rules, body, self.models)
        if refused is not None:
            return (*refused, None)
        rf = body.get("response_format")
        if self.reject_json_schema and isinstance(rf, dict) and rf.get("type") == "json_schema":
            return (
                500,
                _error_body(
                    f"1 validation error for CreateChatCompletionRequest\nresponse_format: "
                    f"{_LLAMA_CPP_REJECT}",
                    "internal_server_error",
                ),
                None,
            )

        with self._lock:
            step = self._script.popleft() if self._script else None
        if step is not None:
            rec.step = type(step).__name__.lower()
            return self._run_step(step, body)

        article = self._article(body)
        if article is None:
            return _no_article()
        prompt_tokens = self._prompt_tokens(body["messages"])
        if self.context is not None:
            refused, prompt_tokens, article = self.context.check(prompt_tokens, article, body)
            if refused is not None:
                return refused
        limited = self._admit(prompt_tokens, body)
        if limited is not None:
            return limited
        if self.error_rate > 0:
            with self._lock:
                hit = self._rng.random() < self.error_rate
                code = self._rng.choice((500, 503)) if hit else 0
            if hit:
                return (
                    code,
                    _error_body(
                        f"simulated random {code}", "server_error" if code == 500 else "overloaded"
                    ),
                    None,
                )
        delay = self.latency
        if self.jitter:
            with self._lock:
                delay += self._rng.uniform(-self.jitter, self.jitter)
        if not self._sleep(delay):
            raise _Dropped(False)
        return self._completion(
            body,
            json.dumps(build_brief(article), ensure_ascii=False),
            "stop",
            prompt_tokens,
            self._limit_headers(),
        )

    def _run_step(
        self, step: Step, body: dict[str, Any]
    ) -> tuple[int, bytes, dict[str, str] | None]:
        if isinstance(step, Status):
            if step.body is None:
                payload = _error_body(
                    f"simulated {step.code}", _ERROR_TYPES.get(step.code, "server_error")
                )
            elif isinstance(step.body, bytes):
                payload = step.body
            elif isinstance(step.body, str):
                payload = step.body.encode()
            else:
                payload = json.dumps(step.body).encode()
            return step.code, payload, dict(step.headers) if step.headers else None
        if isinstance(step, Hang):
            if not self._sleep(step.seconds):
                raise _Dropped(False)
            return self._run_step(step.then or Brief(), body)
        if isinstance(step, DropConnection):
            raise _Dropped(step.reset)
        prompt_tokens = self._prompt_tokens(body["messages"])
        if isinstance(step, Content):
            return self._completion(body, step.text, step.finish_reason, prompt_tokens, None)
        if isinstance(step, Brief):
            article = self._article(body)
            if article is None:
                return _no_article()
            data = build_brief(article)
            if step.mutate is not None:
                out = step.mutate(data)
                data = data if out is None else out
            return self._completion(
                body, json.dumps(data, ensure_ascii=False), step.finish_reason, prompt_tokens, None
            )
        raise TypeError(f"unknown step {step!r}")

    @staticmethod
    def _article(body: dict[str, Any]) -> str | None:
        # The latest user message holding an article block: a re-ask follows the
        # article with a message of its own.
        for msg in reversed(body["messages"]):
            if isinstance(msg, dict) and msg.get("role") == "user":
                article = extract_article(_message_text(msg))
                if article and article.strip():
                    return article
        return None

    def _prompt_tokens(self, messages: list[Any]) -> int:
        if self.token_counter is not None:
            return int(self.token_counter("\n".join(_message_text(m) for m in messages)))
        n = sum(len(_message_text(m)) for m in messages)
        return (n + 3) // 4

    def _admit(
        self, prompt_tokens: int, body: dict[str, Any]
    ) -> tuple[int, bytes, dict[str, str]] | None:
        """Sliding-window RPM/TPM check; admitted requests consume capacity, others don't."""
        max_out = body.get("max_completion_tokens") or body.get("max_tokens") or 0
        cost = prompt_tokens + int(max_out)
        if self.rpm is None and self.tpm is None:
            with self._lock:
                self._stats["tokens_accepted"] += cost
            return None
        now = time.monotonic()
        with self._lock:
            q = self._window
            while q and q[0][0] <= now - self.window:
                self._window_tokens -= q.popleft()[1]
            wait = 0.0
            message = ""
            if self.rpm is not None and len(q) >= self.rpm:
                wait = q[0][0] + self.window - now
                message = f"Rate limit reached for requests per min (RPM): Limit {self.rpm}"
            if self.tpm is not None:
                if cost > self.tpm:
                    wait = max(wait, self.window)
                    message = (
                        f"Request too large for tokens per min (TPM): Limit {self.tpm}, "
                        f"Requested {cost}"
                    )
                elif self._window_tokens + cost > self.tpm:
                    freed = 0
                    for t, tok in q:
                        freed += tok
                        if self._window_tokens - freed + cost <= self.tpm:
                            wait = max(wait, t + self.window - now)
                            break
                    message = (
                        f"Rate limit reached for tokens per min (TPM): Limit {self.tpm}, "
                        f"Used {self._window_tokens}, Requested {cost}"
                    )
            if not message:
                q.append((now, cost))
                self._window_tokens += cost
                self._stats["tokens_accepted"] += cost
                return None
            headers = self._limit_headers_locked()
        headers["Retry-After"] = str(max(1, math.ceil(wait)))
        return (
            429,
            _error_body(
                message, "requests" if "RPM" in message else "tokens", code="rate_limit_exceeded"
            ),
            headers,
        )

    def _limit_headers(self) -> dict[str, str] | None:
        if self.rpm is None and self.tpm is None:
            return None
        with self._lock:
            return self._limit_headers_locked()

    def _limit_headers_locked(self) -> dict[str, str]:
        h: dict[str, str] = {}
        if self.rpm is not None:
            h["x-ratelimit-limit-requests"] = str(self.rpm)
            h["x-ratelimit-remaining-requests"] = str(max(0, self.rpm - len(self._window)))
        if self.tpm is not None:
            h["x-ratelimit-limit-tokens"] = str(self.tpm)
            h["x-ratelimit-remaining-tokens"] = str(max(0, self.tpm - self._window_tokens))
        return h

    @staticmethod
    def _completion(
        body: dict[str, Any],
        text: str,
        finish_reason: str,
        prompt_tokens: int,
        headers: dict[str, str] | None,
    ) -> tuple[int, bytes, dict[str, str] | None]:
        completion_tokens = (len(text) + 3) // 4
        payload = {
            "id": f"chatcmpl-sim-{uuid.uuid4().hex[:16]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model") or "sim-model",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": finish_reason,
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }
        return 200, json.dumps(payload, ensure_ascii=False).encode(), headers


def _context_fields(context: ContextLimits | None) -> dict[str, Any]:
    return context.model_fields() if context is not None else {}


def _message_text(msg: Any) -> str:
    """Text of a message whose content is a string or a list of ``{"type":"text"}`` parts."""
    if not isinstance(msg, dict):
        return ""
    c = msg.get("content")
    if isinstance(c, str):
        return c
    if isinstance(c, list):
        return "".join(p.get("text", "") for p in c if isinstance(p, dict))
    return ""


def _no_article() -> tuple[int, bytes, None]:
    return (
        400,
        _error_body(
            "no article found: no user message contains a line <article> and a line "
            "</article> around the article text",
            "invalid_request_error",
            param="messages",
        ),
        None,
    )


# ---------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    """Subprocess mode: print ``PORT <n>``, serve until SIGTERM/SIGINT, print stats JSON."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--latency", type=float, default=0.0)
    p.add_argument("--jitter", type=float, default=0.0)
    p.add_argument("--rpm", type=int, default=0, help="0 = unlimited")
    p.add_argument("--tpm", type=int, default=0, help="0 = unlimited")
    p.add_argument("--window", type=float, default=60.0, help="rpm/tpm window, seconds")
    p.add_argument("--error-rate", type=float, default=0.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--reject-json-schema", action="store_true")
    p.add_argument("--batch-lines-per-second", type=float, default=0.0, help="0 = at once")
    p.add_argument(
        "--count-tokens",
        choices=["chars", "tiktoken"],
        default="chars",
        help="how prompt tokens are counted for --tpm: ceil(chars/4), or tiktoken's "
        "o200k_base like a real provider (needs summarizer importable)",
    )
    p.add_argument("--context-limit", type=int, help="refuse longer requests with HTTP 400")
    p.add_argument("--truncate-above", type=int, help="cut prompts silently, Ollama-like")
    p.add_argument("--max-model-len", type=int, help="listed in /v1/models, vLLM-like")
    args = p.parse_args(argv)
    counter = None
    if args.count_tokens == "tiktoken":
        from summarizer.prompting.tokens import get_encoding

        encoding = get_encoding("o200k_base")

        def counter(text: str) -> int:
            return len(encoding.encode(text, disallowed_special=()))

    sim = SimServer(
        token_counter=counter,
        latency=args.latency,
        jitter=args.jitter,
        rpm=args.rpm or None,
        tpm=args.tpm or None,
        error_rate=args.error_rate,
        reject_json_schema=args.reject_json_schema,
        seed=args.seed,
        host=args.host,
        port=args.port,
        window=args.window,
        record=False,
        context=ContextLimits(args.context_limit, args.truncate_above, args.max_model_len),
    )
    sim.batch_api.lines_per_second = args.batch_lines_per_second or None
    done = threading.Event()

    def _on_signal(signum: int, frame: object) -> None:
        done.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    sim.start()
    print(f"PORT {sim.port}", flush=True)
    while not done.wait(0.2):  # short waits: signal handlers run between them
        pass
    sim.stop()
    print(json.dumps(sim.stats()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
