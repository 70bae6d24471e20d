"""The codebook as a tree (key, colour, count, marks for the current comment) and a code's definition."""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.geometry import Region
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from coder.domain import Code
from coder.tui.text import foreground, literal
from coder.tui.widgets.quiet import update_if_changed, update_in_room


class CodebookTree(Tree[int], inherit_bindings=False):
    """Codes in codebook order; the highlighted one is what `space` applies."""

    BINDINGS = [
        Binding("up", "cursor_up", "Previous code", show=False),
        Binding("down", "cursor_down", "Next code", show=False),
        Binding("left", "collapse_or_parent", "Collapse", show=False),
        Binding("right", "expand", "Expand", show=False),
        Binding("enter", "toggle_node", "Open/close", show=False),
        # Home and End belong to the tree while it has the focus, not to the comment list.
        Binding("home", "first_code", "First code", show=False),
        Binding("end", "last_code", "Last code", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "codebook-tree--key",
        "codebook-tree--count",
        "codebook-tree--mine",
        "codebook-tree--others",
        "codebook-tree--suggested",
    }

    def __init__(self, *, id: str | None = None):
        super().__init__("Codebook", id=id)
        self.show_root = False
        self.guide_depth = 2
        self._codes: dict[int, Code] = {}
        self._keys: dict[int, int] = {}
        self._code_nodes: dict[int, TreeNode[int]] = {}
        self._counts: dict[int, int] = {}
        self._mine: set[int] = set()
        self._others: set[int] = set()
        self._suggested: dict[int, float] = {}
        self._flush: set[int] = set()
        self._depth: dict[int, int] = {}

    def set_codes(self, codes: list[Code], keys: dict[int, int]) -> None:
        """Build the tree; `keys` maps a code id to the number key that toggles it."""
        highlighted = self.highlighted_code
        self.clear()
        self._codes = {c.id: c for c in codes}
        self._keys = keys
        self._code_nodes = {}
        parents = {c.parent_id for c in codes}
        # A top-level code with no sub-codes has no ▼ in front: indent it to line up.
        self._flush = {c.id for c in codes if c.parent_id is None and c.id not in parents}
        self._depth = {}
        for code in codes:
            parent = self._code_nodes.get(code.parent_id) if code.parent_id else self.root
            if parent is None:
                continue
            self._depth[code.id] = 0 if code.parent_id is None else self._depth[code.parent_id] + 1
            self._code_nodes[code.id] = parent.add(self._label(code), data=code.id, expand=True)
        for node in self._code_nodes.values():
            if not node.children:
                node.allow_expand = False
        # The new nodes have their lines once the tree is laid out again: move there then.
        keep = highlighted if highlighted in self._code_nodes else None
        self.select_code(keep)
        self.call_after_refresh(self.select_code, keep)

    def set_state(
        self,
        counts: dict[int, int] | None,
        mine: set[int],
        others: set[int],
        suggested: dict[int, float],
    ) -> None:
        """Counts for the whole project (None: not counted yet); marks for the current comment."""
        counts = counts if counts is not None else {}
        changed = {
            code_id
            for code_id in self._code_nodes
            if counts.get(code_id, -1) != self._counts.get(code_id, -1)
            or (code_id in mine) != (code_id in self._mine)
            or (code_id in others) != (code_id in self._others)
            or suggested.get(code_id) != self._suggested.get(code_id)
        }
        self._counts, self._mine, self._others = dict(counts), set(mine), set(others)
        self._suggested = dict(suggested)
        for code_id in changed:
            self._relabel(self._code_nodes[code_id], self._label(self._codes[code_id]))

    def _relabel(self, node: TreeNode[int], label: Text) -> None:
        """`node.set_label(label)`, repainting the node's own line only: Tree's set_label
        repaints the node's whole subtree (its guides may change on other updates, never on a
        new label), and a theme's count changing with every code key would redraw each of its
        sub-codes."""
        node._label = self.process_label(label)
        node._updates += 1  # the line cache's key: this line is drawn afresh
        if node.line >= 0:
            self.refresh(Region(0, node.line - self.scroll_offset.y, self.size.width, 1))

    def _label(self, code: Code) -> Text:
        def style(name: str) -> Style:
            return foreground(self.get_component_rich_style(name))

        key = self._keys.get(code.id)
        text = Text(no_wrap=True, end="")
        if code.id in self._flush:
            text.append("  ")
        text.append(f"{key} " if key else "  ", style("codebook-tree--key"))
        text.append("■ ", Style(color=code.color) if code.color else Style())
        tail = Text(end="")
        if self._counts:
            tail.append(f" {self._counts.get(code.id, 0)}", style("codebook-tree--count"))
        if code.id in self._mine:
            tail.append(" ✓", style("codebook-tree--mine"))
        elif code.id in self._others:
            tail.append(" •", style("codebook-tree--others"))
        if code.id in self._suggested:
            tail.append(f" ◇{self._suggested[code.id]:.0%}", style("codebook-tree--suggested"))
        # A long name gives way, not its count and marks: they say the most at a glance.
        guides = 2 * max(1, self._depth.get(code.id, 0))
        room = self.scrollable_content_region.width - guides - len(text) - len(tail) - 1
        name = literal(code.name, one_line=True)
        if room > 0 and len(name) > room:
            name.truncate(max(1, room), overflow="ellipsis")
        text.append_text(name)
        text.append_text(tail)
        return text

    def on_resize(self) -> None:
        for code_id, node in self._code_nodes.items():
            node.set_label(self._label(self._codes[code_id]))

    @property
    def highlighted_code(self) -> int | None:
        node = self.cursor_node
        return node.data if node is not None and node is not self.root else None

    def select_code(self, code_id: int | None) -> None:
        node = self._code_nodes.get(code_id) if code_id is not None else None
        if node is None:
            self.cursor_line = 0 if self._code_nodes else -1
        else:
            if node.parent is not None:
                node.parent.expand()
            self.move_cursor(node, animate=False)

    def action_first_code(self) -> None:
        self.cursor_line = 0

    def action_last_code(self) -> None:
        self.cursor_line = self.last_line

    def move_highlight(self, delta: int) -> None:
        self.cursor_line = max(0, min(self.cursor_line + delta, self.last_line))

    def action_collapse_or_parent(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.is_expanded and node.children:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            self.move_cursor(node.parent, animate=False)

    def action_expand(self) -> None:
        node = self.cursor_node
        if node is not None and node.children:
            node.expand()


class CodeDetail(VerticalScroll, can_focus=False):
    """The highlighted code's definition, include/exclude criteria and examples."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"code-detail--heading"}

    empty = "No code highlighted."

    def __init__(self, *, id: str | None = None):
        super().__init__(id=id)
        self._last: dict[int, Text] = {}
        self._code_id: int | None = None

    def compose(self) -> ComposeResult:
        # The heading (path, key, count) apart from the definition, so that a count changed
        # by a code key redraws one line, not a long definition with its examples.
        yield Static(id="code-detail-heading")
        yield Static(id="code-detail-text")

    def show(self, code: Code | None, count: int | None = None, key: int | None = None) -> None:
        heading_static = self.query_one("#code-detail-heading", Static)
        static = self.query_one("#code-detail-text", Static)
        if code is None:
            update_if_changed(heading_static, Text(), self._last)
            update_if_changed(static, Text(self.empty, style="italic"), self._last)
            return
        heading = foreground(self.get_component_rich_style("code-detail--heading"))
        title = Text()
        if code.color:
            title.append("■ ", Style(color=code.color))
        title.append_text(literal(code.path, "bold"))
        facts = [f"key {key}"] if key else []
        if count is not None:
            facts.append(f"{count:,} comment{'s' if count != 1 else ''}")
        title.append(f"  ({', '.join(facts)})" if facts else "", heading)
        text = Text()
        if code.description:
            text.append_text(literal(code.description))
            text.append("\n")
        for title_, body in (("Include", code.include), ("Exclude", code.exclude)):
            if body:
                text.append(f"{title_}: ", heading)
                text.append_text(literal(body))
                text.append("\n")
        if code.examples:
            text.append("Examples:", heading)
            for example in code.examples:
                text.append("\n• ")
                text.append_text(literal(example, "italic"))
        if self._code_id != code.id:
            self.scroll_home(animate=False)
            self._code_id = code.id
            update_if_changed(heading_static, title, self._last)
        else:  # the same code, its count changed: a count one digit longer lays nothing out
            update_in_room(heading_static, title, self._last, 0)
        update_if_changed(static, text, self._last)
