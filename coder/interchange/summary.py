"""What an import or export did, and everything it could not carry over, counted and named."""

from __future__ import annotations

from dataclasses import dataclass, field

from coder.text import counted, shown

_EXAMPLES = 3


@dataclass
class Summary:
    """Counts of what was done, and of each kind of thing left out or changed on the way."""

    done: dict[str, int] = field(default_factory=dict)  # "comments" -> 120
    skipped: dict[str, int] = field(default_factory=dict)  # why -> how many
    examples: dict[str, list[str]] = field(default_factory=dict)

    def count(self, what: str, amount: int = 1) -> None:
        self.done[what] = self.done.get(what, 0) + amount

    def skip(self, why: str, example: object = None, amount: int = 1) -> None:
        """Something in the file that coder did not keep, or kept changed: `why` says what
        and why, in words that read after a count ("PDF sources (coder holds text only)")."""
        self.skipped[why] = self.skipped.get(why, 0) + amount
        if example is not None:
            shown_examples = self.examples.setdefault(why, [])
            text = shown(example, 60)
            if len(shown_examples) < _EXAMPLES and text not in shown_examples:
                shown_examples.append(text)

    def lines(self) -> list[str]:
        """One line per kind of thing left out or changed."""
        out = []
        for why, amount in self.skipped.items():
            examples = self.examples.get(why)
            more = f" (e.g. {', '.join(examples)})" if examples else ""
            out.append(f"{amount:,} {why}{more}")
        return out

    def done_line(self) -> str:
        return ", ".join(counted(n, what) for what, n in self.done.items() if n) or "nothing"
