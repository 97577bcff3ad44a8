"""A loopback OpenAI-compatible server for tests: real HTTP through litellm, no network.

``/v1/chat/completions`` answers according to ``server.behaviour`` (a callable or a name), so
one server can tell the truth, invent a figure, name the wrong tier, fail with 500 or 429,
hang past the client's timeout, return malformed JSON, stream Server-Sent Events, or ask for
tool calls (a callable returning ``tool_call_completion(...)``) and read their results back. Every
request body and its headers are kept in ``server.requests`` for assertions.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

Reply = dict[str, Any]

DUMMY_KEY = "sk-test-dummy-key-123"  # what tests put in OPENAI_API_KEY; must never leak
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def example(name: str) -> dict[str, Any]:
    """An example answers file as a dict."""
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def prompt_text(body: dict[str, Any]) -> str:
    return "\n".join(str(m.get("content", "")) for m in body.get("messages", []))


def engine_tier(body: dict[str, Any]) -> str:
    """The tier as the prompt states it (the fake model reads its facts like a real one)."""
    match = re.search(r'"tier":\s*"(high|medium|lower)"', prompt_text(body))
    return match.group(1) if match else "high"


def engine_score(body: dict[str, Any]) -> str:
    match = re.search(r'"score":\s*(\d+)', prompt_text(body))
    return match.group(1) if match else "0"


TIER_WORDS = {"high": "high", "medium": "medium", "lower": "lower"}


def truthful_narrative(body: dict[str, Any]) -> str:
    tier = engine_tier(body)
    return (f"## Where you stand\n\nYou sit in the {TIER_WORDS[tier]}-risk tier, with an "
            f"exposure score of {engine_score(body)} out of 100.\n\n"
            "## What to do next\n\n1. Move the product's edge from the model to data and "
            "workflow.\n2. Build switching costs before a cheaper copy arrives.\n\n"
            "## What could change\n\nPrices may hold near today's level (50%), fall by "
            "another order of magnitude (30%), or split into two tiers (20%).\n")


def invented_figure_narrative(body: dict[str, Any]) -> str:
    return truthful_narrative(body).replace(
        "## What could change\n\n", "## What could change\n\nYou would save $12,345 a month. ")


def wrong_tier_narrative(body: dict[str, Any]) -> str:
    wrong = {"high": "medium", "medium": "lower", "lower": "high"}[engine_tier(body)]
    return truthful_narrative(body).replace(f"the {engine_tier(body)}-risk tier",
                                            f"the {wrong}-risk tier")


def no_headings_narrative(body: dict[str, Any]) -> str:
    return "You are doing fine. Keep going and build switching costs.\n"


def chat_completion(text: str, model: str = "gpt-4o-mini", prompt_tokens: int = 900,
                    completion_tokens: int = 120) -> Reply:
    return {
        "id": "chatcmpl-test", "object": "chat.completion", "created": 1_700_000_000,
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    }


def tool_call_completion(calls: list[tuple[str, dict[str, Any]]], model: str = "gpt-4o-mini",
                         text: str | None = None) -> Reply:
    """A reply asking for tool calls: ``calls`` is ``[(function name, arguments), ...]``."""
    return {
        "id": "chatcmpl-tools", "object": "chat.completion", "created": 1_700_000_000,
        "model": model,
        "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
            "role": "assistant", "content": text,
            "tool_calls": [{"id": f"call_{i}", "type": "function",
                            "function": {"name": name, "arguments": json.dumps(args)}}
                           for i, (name, args) in enumerate(calls)]}}],
        "usage": {"prompt_tokens": 700, "completion_tokens": 40, "total_tokens": 740},
    }


def tool_results(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The tool results sent back so far, parsed (the model "reads" them like a real one)."""
    out = []
    for m in body.get("messages", []):
        if m.get("role") == "tool":
            try:
                out.append(json.loads(m.get("content") or "{}"))
            except ValueError:
                out.append({"raw": m.get("content")})
    return out


class FakeOpenAI(ThreadingHTTPServer):
    """The server; ``behaviour`` is a name (see ``_handle``) or a list consumed one per call."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.behaviour: str | list[str] | Callable[[dict[str, Any]], str | Reply] = "truth"
        self.requests: list[dict[str, Any]] = []
        self.headers_seen: list[dict[str, str]] = []
        self.delay = 5.0
        self.lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def next_behaviour(self) -> str | Callable[[dict[str, Any]], str | Reply]:
        with self.lock:
            if isinstance(self.behaviour, list):
                return self.behaviour.pop(0) if len(self.behaviour) > 1 else self.behaviour[0]
            return self.behaviour

    def start(self) -> FakeOpenAI:
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that timed out closes its socket mid-reply: expected here, not news."""


class _Handler(BaseHTTPRequestHandler):
    server: FakeOpenAI
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # stdlib's signature
        pass

    def _send(self, status: int, payload: bytes, content_type: str = "application/json",
              extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(payload)
        self.wfile.flush()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        with self.server.lock:
            self.server.requests.append(body)
            self.server.headers_seen.append({k.lower(): v for k, v in self.headers.items()})
        if not self.path.endswith("/chat/completions"):
            self._send(404, b'{"error": {"message": "not found"}}')
            return
        behaviour = self.server.next_behaviour()
        if callable(behaviour):
            reply = behaviour(body)
            if isinstance(reply, dict):  # a whole completion, e.g. tool_call_completion(...)
                self._send(200, json.dumps(reply).encode())
            else:
                self._reply_text(body, reply)
            return
        if behaviour == "truth":
            self._reply_text(body, truthful_narrative(body))
        elif behaviour == "invent":
            self._reply_text(body, invented_figure_narrative(body))
        elif behaviour == "wrong_tier":
            self._reply_text(body, wrong_tier_narrative(body))
        elif behaviour == "no_headings":
            self._reply_text(body, no_headings_narrative(body))
        elif behaviour == "500":
            # Like some real providers, echo the credential in the error: the client must scrub it.
            auth = self.headers.get("Authorization", "")
            message = f"internal error while serving key {auth.removeprefix('Bearer ')}"
            self._send(500, json.dumps({"error": {"message": message,
                                                  "type": "server_error"}}).encode())
        elif behaviour == "429":
            self._send(429, b'{"error": {"message": "rate limited", "type": "rate_limit"}}',
                       extra={"Retry-After": "0"})
        elif behaviour == "hang":
            time.sleep(self.server.delay)
            self._reply_text(body, truthful_narrative(body))
        elif behaviour == "drip":
            self._drip(body)
        elif behaviour == "huge":
            self._reply_text(body, truthful_narrative(body) + "x" * 21_000_000)
        elif behaviour == "echo_key":
            key = self.headers.get("Authorization", "").removeprefix("Bearer ")
            self._reply_text(body, truthful_narrative(body).replace(
                "workflow.", f"workflow, with key {key}."))
        elif behaviour == "absurd_usage":
            reply = chat_completion(truthful_narrative(body), prompt_tokens=-5,
                                    completion_tokens=10**30)
            self._send(200, json.dumps(reply).encode())
        elif behaviour == "malformed":
            self._send(200, b'{"id": "x", "choices": [ {"message": ')
        else:
            raise AssertionError(f"unknown behaviour {behaviour!r}")

    def _drip(self, body: dict[str, Any]) -> None:
        """A whole answer, one byte every 50 ms: each read is quick, the reply never ends."""
        payload = json.dumps(chat_completion(truthful_narrative(body))).encode()
        if body.get("stream"):
            chunk = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
                     "choices": [{"index": 0, "delta": {"content": "a"},
                                  "finish_reason": None}]}
            payload = f"data: {json.dumps(chunk)}\n\n".encode() * 2000
        self.send_response(200)
        self.send_header("Content-Type",
                         "text/event-stream" if body.get("stream") else "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        try:
            for i in range(len(payload)):
                self.wfile.write(payload[i:i + 1])
                self.wfile.flush()
                time.sleep(0.05)
        except OSError:  # the client gave up: what a deadline is for
            pass

    def _reply_text(self, body: dict[str, Any], text: str) -> None:
        if body.get("stream"):
            self._stream(body, text)
            return
        self._send(200, json.dumps(chat_completion(text)).encode())

    def _stream(self, body: dict[str, Any], text: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        words = re.findall(r"\S+\s*", text)
        for i in range(0, len(words), 3):
            chunk = {"id": "chatcmpl-test", "object": "chat.completion.chunk",
                     "created": 1_700_000_000, "model": "gpt-4o-mini",
                     "choices": [{"index": 0, "delta": {"content": "".join(words[i:i + 3])},
                                  "finish_reason": None}]}
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()
        end = {"id": "chatcmpl-test", "object": "chat.completion.chunk",
               "created": 1_700_000_000, "model": "gpt-4o-mini",
               "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        self.wfile.write(f"data: {json.dumps(end)}\n\n".encode())
        usage = {"id": "chatcmpl-test", "object": "chat.completion.chunk",
                 "created": 1_700_000_000, "model": "gpt-4o-mini", "choices": [],
                 "usage": {"prompt_tokens": 900, "completion_tokens": 120,
                           "total_tokens": 1020}}
        self.wfile.write(f"data: {json.dumps(usage)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()
        self.close_connection = True


if __name__ == "__main__":  # a server to try the CLI by hand: python tests/llm/fake_openai.py
    import sys

    server = FakeOpenAI()
    server.behaviour = sys.argv[1] if len(sys.argv) > 1 else "truth"
    print(server.base_url, flush=True)
    server.serve_forever()
