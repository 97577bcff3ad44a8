"""The ``--role`` option, with the roles the questionnaire in ``rules/`` defines."""

from __future__ import annotations

import argparse


def role_ids() -> tuple[str, ...]:
    from advisor.data.rules import load_rulebase

    return tuple(load_rulebase().questionnaire.roles)


def add_role(p: argparse.ArgumentParser, *, required: bool) -> None:
    p.add_argument("--role", choices=role_ids(), required=required)
