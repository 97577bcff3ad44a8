"""The optional LLM layer: narrative drafting and grounded answers through litellm.

Nothing here imports litellm at module load; only :mod:`advisor.llm.client` does, inside the
function that makes a call, so ``advisor assess`` without ``--llm`` never pays for it. The
LLM never decides anything the engine decides (tier, score, recommendations): it only words
facts it is given, and :mod:`advisor.llm.guard` checks every draft before it is used.
"""
