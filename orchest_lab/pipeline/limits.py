"""What any pipeline document must be, whatever its fields: nested at most MAX_NESTING levels,
and text only. Copying, saving and fingerprinting a pipeline recurse into it (Python's limit is
about 1,000 frames), and its strings reach files, environment variables and commands, none of
which can carry a lone surrogate (the JSON escape "\\ud800" not followed by its pair)."""

from __future__ import annotations

from typing import Any

from .issues import Issue, json_pointer

# Objects and arrays within each other, the document itself counted: Orchest pipelines use 5.
MAX_NESTING = 100
MAX_REPORTED = 20  # issues of one document; a list of 10,000 bad strings needs no more
Location = tuple[str | int, ...]


def structure_issues(
    value: Any, at: Location = (), level: int = 1, rule: str = "a pipeline"
) -> list[Issue]:
    """Places in `value` (found at `at`, itself at nesting `level` of the pipeline it is part
    of) nested deeper than MAX_NESTING, and keys and strings that are not text. Walks without
    recursion, so any depth that was parsed can be checked. `rule` names what the limit is for."""
    issues: list[Issue] = []
    stack: list[tuple[Any, Location, int]] = [(value, at, level)]
    while stack and len(issues) < MAX_REPORTED:
        item, where, depth = stack.pop()
        if isinstance(item, str):
            if not _is_text(item):
                issues.append(_not_text(where, f"{_name(where)} holds"))
            continue
        if not isinstance(item, dict | list):
            continue
        if depth > MAX_NESTING:
            issues.append(
                Issue(
                    "error",
                    "too-deep",
                    f"{_name(where)} is nested more than {MAX_NESTING} levels deep; {rule} "
                    f"nests objects and arrays at most {MAX_NESTING} levels",
                    json_pointer(*where),
                    step_uuid=_step_of(where),
                )
            )
            continue
        if isinstance(item, dict):
            for key, child in reversed(item.items()):
                if not _is_text(key):
                    issues.append(_not_text((*where, key), f"a key of {_name(where)} holds"))
                stack.append((child, (*where, key), depth + 1))
        else:
            stack.extend(
                (child, (*where, i), depth + 1) for i, child in reversed(list(enumerate(item)))
            )
    return issues


def _not_text(where: Location, what: str) -> Issue:
    return Issue(
        "error",
        "invalid-text",
        f"{what} a lone surrogate (an escape such as \\ud800 without its pair), which is not "
        "text: no file, environment variable or command can hold it",
        json_pointer(*where),
        step_uuid=_step_of(where),
    )


def _is_text(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _step_of(where: Location) -> str | None:
    return str(where[1]) if len(where) >= 2 and where[0] == "steps" else None


def _name(where: Location) -> str:
    """A place as messages name it: `field 'a.b[0]'`, shortened when deep, with anything that
    is not text escaped (the message must be text itself)."""
    if not where:
        return "the pipeline"
    parts = [f"[{p}]" if isinstance(p, int) else f".{p}" for p in where]
    dotted = "".join(parts[:6]).lstrip(".") + ("…" if len(parts) > 6 else "")
    shown = dotted.encode("utf-8", "backslashreplace").decode("utf-8")
    return f"field '{shown[:120]}'"
