"""Where the money is: what a workload could save without changing what it does.

Each lever is priced from the price map's own fields and the user's answers, never estimated
by eye (spec/costs.md, levers):
- prompt caching: input tokens × the cacheable share × (input price − cache-read price);
- batch API: the deferrable share × (cost at list prices − cost at batch prices);
- a smaller model: the same provider's cheapest model with the same capabilities, per 10% of
  requests routed to it (no answer pins that share: a quality test does);
- the open-model API: the whole workload at the open-model band's low end.
A share the user did not give yields the saving per 10% of the workload and the question that
would pin it; a lever the model does not offer is absent.
"""

from __future__ import annotations

from collections.abc import Iterable

from advisor.core.cost_records import Band, Lever
from advisor.core.prices import Price

MTOK = 1_000_000


def _money(x: float) -> float:
    return round(x, 6)


def _cost(tokens_in: float, tokens_out: float, pin: float, pout: float) -> float:
    return tokens_in / MTOK * pin + tokens_out / MTOK * pout


def _share_lever(lever_id: str, full: float, share: float | None, *, basis_known: str,
                 question: str, source: str, current: float) -> Lever | None:
    """A lever whose saving is ``full`` × the share of the workload it applies to."""
    if full <= 0:
        return None
    if share is None:
        return Lever(lever_id, None, _money(full * 0.1), _money(full), None,
                     basis=f"per 10% of the workload; {question} would pin it",
                     source=source, question=question)
    saving = full * share
    return Lever(lever_id, _money(saving), _money(full * 0.1), _money(full), share,
                 basis=basis_known, source=source, monthly_usd_after=_money(current - saving))


def prompt_caching(price: Price, tokens_in: float, share: float | None,
                   current: float) -> Lever | None:
    t = price.traits
    if t is None or t.cache_read_per_mtok is None:
        return None
    full = tokens_in / MTOK * (price.input_per_mtok - t.cache_read_per_mtok)
    return _share_lever("prompt_caching", full, share,
                        basis_known=f"{share:.0%} of input tokens repeat, as answered"
                        if share is not None else "",
                        question="the share of each prompt that repeats from call to call",
                        source="cache_read_input_token_cost", current=current)


def batch_api(price: Price, tokens_in: float, tokens_out: float, share: float | None,
              current: float) -> Lever | None:
    t = price.traits
    if t is None or t.batch_input_per_mtok is None or t.batch_output_per_mtok is None:
        return None
    listed = _cost(tokens_in, tokens_out, price.input_per_mtok, price.output_per_mtok)
    batched = _cost(tokens_in, tokens_out, t.batch_input_per_mtok, t.batch_output_per_mtok)
    return _share_lever("batch_api", listed - batched, share,
                        basis_known=f"{share:.0%} of the work can wait up to a day, as "
                        "answered" if share is not None else "",
                        question="the share of the work that could wait up to a day",
                        source="input_cost_per_token_batches, output_cost_per_token_batches",
                        current=current)


def smaller_model(price: Price, candidates: Iterable[Price], tokens_in: float,
                  tokens_out: float, current: float, retiring_before: str | None = None
                  ) -> Lever | None:
    """The same provider's cheapest model that keeps every capability the current one has.

    A model the price map retires before ``retiring_before`` (an ISO date, a year after the
    report's) is no place to move to, and is passed over.
    """
    t = price.traits
    if t is None:
        return None
    needed = t.capabilities()
    best: tuple[float, str] | None = None
    for c in candidates:
        if c.model == price.model or c.traits is None or ":" in c.model:
            continue  # itself, unknown capabilities, or someone's fine-tune
        date = c.traits.deprecation_date
        if date and retiring_before and date < retiring_before:
            continue
        if any(need and not has for need, has in zip(needed, c.traits.capabilities(),
                                                    strict=True)):
            continue
        cost = _cost(tokens_in, tokens_out, c.input_per_mtok, c.output_per_mtok)
        if cost < current and (best is None or (cost, c.model) < best):
            best = (cost, c.model)
    if best is None:
        return None
    cost, model = best
    full = current - cost
    return Lever("smaller_model", None, _money(full * 0.1), _money(full), None,
                 basis=f"per 10% of requests routed to {model} after a quality test",
                 source="input_cost_per_token, output_cost_per_token, supports_reasoning, "
                        "supports_function_calling, supports_vision",
                 question="the share of requests a cheaper model can handle (a quality test "
                          "on your own cases)",
                 model=model, monthly_usd_after=_money(cost), quality="needs_quality_test")


def open_model_api(band: Band | None, current: float, like_for_like: bool) -> Lever | None:
    if band is None or band.low_usd is None or band.low_usd >= current:
        return None
    return Lever("open_model_api", _money(current - band.low_usd), None,
                 _money(current - band.low_usd), 1.0,
                 basis="the whole workload at the open-model band's low end "
                       f"(${band.low_per_mtok:.2f} per million tokens)",
                 source="open-model band, article §1", monthly_usd_after=band.low_usd,
                 quality="like_for_like" if like_for_like else "not_like_for_like")


def levers(price: Price | None, tokens: tuple[float, float] | None, current: float | None,
           *, cacheable: float | None, deferrable: float | None,
           candidates: Iterable[Price], band: Band | None,
           like_for_like: bool, retiring_before: str | None = None) -> tuple[Lever, ...]:
    """Every lever this workload has, the largest saving first (an API workload only)."""
    if price is None or tokens is None or current is None or current <= 0:
        return ()
    tin, tout = tokens
    found = [prompt_caching(price, tin, cacheable, current),
             batch_api(price, tin, tout, deferrable, current),
             smaller_model(price, candidates, tin, tout, current, retiring_before),
             open_model_api(band, current, like_for_like)]
    order = ("prompt_caching", "batch_api", "smaller_model", "open_model_api")
    return tuple(sorted((lv for lv in found if lv is not None),
                        key=lambda lv: (-lv.ranking_usd, order.index(lv.id))))
