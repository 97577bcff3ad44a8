"""What serving tokens on one's own GPUs costs (spec/costs.md, self-hosting; faq-q2, faq-q4).

The model a platform engineer can redo by hand:
- GPU-seconds = input tokens ÷ prefill throughput + output tokens ÷ decode throughput: a GPU
  reads a prompt an order of magnitude faster than it writes an answer;
- GPUs busy = GPU-hours ÷ hours in the month (30 days, 720 hours); GPUs at peak = busy × the
  peak-to-average factor, since capacity is provisioned for the busiest hour;
- GPU cost = max(always-on GPUs, GPUs at peak) × 720 × the hourly price: the always-on GPUs
  do the first part of the work and are never charged twice;
- operations = a base (the people and monitoring any fleet needs) + a cost per block of GPUs
  (hosting, on-call, spares), so two GPUs and fifteen hundred are not run for the same sum.
"""

from __future__ import annotations

import math

from advisor.core.records import Record


class HostingAssumptions(Record):
    """The documented, overridable inputs of the self-hosting model."""

    __slots__ = ("gpu_hourly_usd", "prefill_tokens_per_second", "decode_tokens_per_second",
                 "peak_to_average", "always_on_gpus", "operations_base_usd",
                 "operations_per_block_usd", "gpus_per_block", "hours_per_month")

    def __init__(self, gpu_hourly_usd: float, prefill_tokens_per_second: float,
                 decode_tokens_per_second: float, peak_to_average: float,
                 always_on_gpus: float, operations_base_usd: float,
                 operations_per_block_usd: float, gpus_per_block: float,
                 hours_per_month: float) -> None:
        self.gpu_hourly_usd = gpu_hourly_usd
        self.prefill_tokens_per_second = prefill_tokens_per_second
        self.decode_tokens_per_second = decode_tokens_per_second
        self.peak_to_average = peak_to_average
        self.always_on_gpus = always_on_gpus
        self.operations_base_usd = operations_base_usd
        self.operations_per_block_usd = operations_per_block_usd
        self.gpus_per_block = gpus_per_block
        self.hours_per_month = hours_per_month

    def gpu_seconds(self, input_tokens: float, output_tokens: float) -> float:
        """GPU time to read ``input_tokens`` and write ``output_tokens``."""
        return (input_tokens / self.prefill_tokens_per_second
                + output_tokens / self.decode_tokens_per_second)

    def operations(self, fleet: float) -> float:
        """Operations a month for a fleet of ``fleet`` GPUs: base + one sum per block."""
        blocks = max(1, math.ceil(fleet / self.gpus_per_block - 1e-9)) if fleet > 0 else 0
        return self.operations_base_usd + blocks * self.operations_per_block_usd

    @property
    def seconds_per_month(self) -> float:
        return self.hours_per_month * 3600


class Hosting(Record):
    """One workload on one's own GPUs, a month."""

    __slots__ = ("monthly", "gpu_hours", "gpus_busy", "gpus_at_peak", "fleet", "operations",
                 "always_on")

    def __init__(self, monthly: float, gpu_hours: float, gpus_busy: float,
                 gpus_at_peak: float, fleet: float, operations: float,
                 always_on: float) -> None:
        self.monthly = monthly
        self.gpu_hours = gpu_hours
        self.gpus_busy = gpus_busy
        self.gpus_at_peak = gpus_at_peak
        self.fleet = fleet  # GPUs paid for: max(always-on, GPUs at peak)
        self.operations = operations
        self.always_on = always_on


def hosting_cost(input_tokens: float, output_tokens: float, h: HostingAssumptions,
                 always_on: float) -> Hosting:
    """Operations + max(always-on GPUs, GPUs at peak) × hours × price."""
    gpu_hours = h.gpu_seconds(input_tokens, output_tokens) / 3600
    busy = gpu_hours / h.hours_per_month
    peak = busy * h.peak_to_average
    fleet = max(always_on, peak)
    operations = h.operations(fleet)
    monthly = operations + fleet * h.hours_per_month * h.gpu_hourly_usd
    return Hosting(monthly, gpu_hours, busy, peak, fleet, operations, always_on)


def break_even(per_request_api: float, input_per_request: float, output_per_request: float,
               h: HostingAssumptions, always_on: float) -> float | None:
    """The lowest monthly request volume at which self-hosting costs less than the API.

    Self-hosting is flat while the always-on GPUs cover the peak, then grows with GPU time and
    steps up by one operations sum per block of GPUs; the API grows with every request. The
    search walks the blocks (each step lands on a later block, so it ends in a few steps).
    None when the API never costs more.
    """
    if per_request_api <= 0 or not math.isfinite(per_request_api):
        return None
    seconds = h.gpu_seconds(input_per_request, output_per_request) * h.peak_to_average
    flat = h.operations(always_on) + always_on * h.hours_per_month * h.gpu_hourly_usd
    capacity = math.inf if seconds <= 0 else always_on * h.seconds_per_month / seconds
    first = flat / per_request_api
    if first <= capacity:
        return first if math.isfinite(first) else None
    per_request_gpu = seconds / 3600 * h.gpu_hourly_usd
    margin = per_request_api - per_request_gpu
    if margin <= 0:
        return None
    requests_per_gpu = h.seconds_per_month / seconds
    if h.operations_per_block_usd / (h.gpus_per_block * requests_per_gpu) >= margin:
        return None  # each block's operations cost more than the GPUs save on its requests
    block = max(1, math.ceil(always_on / h.gpus_per_block - 1e-9))
    for _ in range(10_000):
        fixed = h.operations_base_usd + block * h.operations_per_block_usd
        n = fixed / margin
        low = max(capacity, (block - 1) * h.gpus_per_block * requests_per_gpu)
        high = block * h.gpus_per_block * requests_per_gpu
        if n < low:
            # Already cheaper where this block starts: the first volume of the block.
            return low if math.isfinite(low) else None
        if n <= high:
            return n if math.isfinite(n) else None
        blocks = n / requests_per_gpu / h.gpus_per_block
        if not math.isfinite(blocks) or blocks > 1e15:
            return None  # beyond any fleet: self-hosting never pays at a volume that exists
        block = max(block + 1, math.ceil(blocks - 1e-9))
    return None
