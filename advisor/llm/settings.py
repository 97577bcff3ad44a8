"""Which model to call and how: command-line flags, then the environment, then the config file.

The config file is ``config.toml`` in the config folder, with an ``[llm]`` table::

    [llm]
    model = "openai/gpt-4o-mini"
    base_url = "http://localhost:11434"   # optional
    timeout = 30                          # optional, seconds per call

It is validated strictly (a typo is an error naming the file and the key, not a silently
ignored setting). API keys are deliberately NOT settings: litellm reads them from the
provider's usual environment variables, so advisor never holds, writes or logs one.
"""

from __future__ import annotations

import argparse
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic_core import SchemaValidator, ValidationError
from pydantic_core import core_schema as cs

from advisor.core.errors import InputError

DEFAULT_TIMEOUT_S = 60.0
BASE_URL_ENV = "ADVISOR_LLM_BASE_URL"
CONFIG_NAME = "config.toml"
LLM_KEYS = ("model", "base_url", "timeout")


@dataclass
class LLMSettings:
    """One model and the limits every call to it runs under."""

    model: str
    base_url: str | None = None
    timeout: float = DEFAULT_TIMEOUT_S
    max_retries: int = 2  # extra attempts after a rate limit (429), with bounded backoff
    max_output_tokens: int = 700


def _optional(schema: cs.CoreSchema) -> cs.TypedDictField:
    return cs.typed_dict_field(cs.nullable_schema(schema), required=False)


#: config.toml, validated with pydantic-core directly (as answers files are): the model layer
#: of pydantic costs more than a whole cold ``advisor assess`` to import.
_CONFIG = SchemaValidator(cs.typed_dict_schema({
    "llm": _optional(cs.typed_dict_schema({
        "model": _optional(cs.str_schema(strict=True, min_length=1, max_length=200)),
        "base_url": _optional(cs.str_schema(strict=True, min_length=1, max_length=2000)),
        "timeout": _optional(cs.float_schema(strict=True, gt=0, le=3600,
                                             allow_inf_nan=False)),
    }, extra_behavior="forbid")),
}, extra_behavior="forbid"))


def config_path() -> Path:
    from advisor.data.paths import config_dir

    return Path(config_dir(), CONFIG_NAME)


def load_llm_config(path: Path | None = None) -> dict[str, Any]:
    """The ``[llm]`` table (every key present, None when unset); InputError when invalid."""
    path = path or config_path()
    empty: dict[str, Any] = dict.fromkeys(LLM_KEYS)
    from advisor.data.files import read_regular_file

    try:
        raw = read_regular_file(path)
    except OSError as exc:
        raise InputError(f"cannot read the config file: {exc.strerror}", file=str(path)) from None
    if raw is None:
        return empty
    try:
        data: dict[str, Any] = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"invalid TOML: {exc}", file=str(path)) from None
    try:
        table = _CONFIG.validate_python(data).get("llm") or {}
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in error["loc"])
        if error["type"] == "extra_forbidden":
            known = ", ".join(LLM_KEYS) if len(error["loc"]) > 1 else "llm"
            raise InputError(f"unknown key {where!r}", file=str(path),
                             expected=f"one of: {known}") from None
        raise InputError(error["msg"], file=str(path), path=where) from None
    return {**empty, **table}


def settings_from_args(args: argparse.Namespace) -> LLMSettings | None:
    """Settings for this run, or None when no model is named by ``--llm`` or the config file.

    Precedence: ``--llm`` / ``--llm-base-url`` / ``--llm-timeout``, then ``ADVISOR_LLM_BASE_URL``
    for the base URL, then the config file, then the defaults.
    """
    config = load_llm_config()
    model = getattr(args, "llm", None) or config["model"]
    if not model:
        return None
    base_url = (getattr(args, "llm_base_url", None) or os.environ.get(BASE_URL_ENV)
                or config["base_url"] or None)
    timeout = getattr(args, "llm_timeout", None)
    if timeout is None:
        timeout = config["timeout"] if config["timeout"] is not None else DEFAULT_TIMEOUT_S
    if not (0 < float(timeout) < float("inf")):
        raise InputError(f"--llm-timeout must be a positive number of seconds, not {timeout}")
    return LLMSettings(model=model, base_url=base_url, timeout=float(timeout))
