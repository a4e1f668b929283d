"""The `transformers` pack (written once the catalog's attention and LLM entries settle)."""

from __future__ import annotations

from mathcheck.regress._runner import Job


def unavailable() -> str | None:
    try:
        import transformers  # noqa: F401
    except ImportError:
        return "Hugging Face Transformers is not installed (pip install 'mathcheck[transformers]')"
    return None


def jobs() -> list[Job]:
    return []
