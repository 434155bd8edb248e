"""YAML that remembers where each value was written.

Front matter and registers are YAML; every diagnostic about them must name
the line and column of the offending value, which plain ``yaml.safe_load``
forgets.  We compose the node graph once and build plain Python values
alongside a map from dotted path (``authors.0.name.en``) to position.
"""
from __future__ import annotations

from dataclasses import dataclass

import yaml

from edition.diagnostics import Diagnostic, SourcePosition

_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class YamlDocument:
    data: object
    positions: dict[str, SourcePosition]
    """Dotted path → position of the value (keys of mappings map to the key)."""

    def position(self, path: str) -> SourcePosition:
        """The position of ``path`` or of its nearest written ancestor."""
        while path and path not in self.positions:
            path = path.rpartition(".")[0]
        return self.positions.get(path, self.positions[""])


def _construct(node: yaml.Node, path: str, display: str, line_offset: int,
               positions: dict[str, SourcePosition], problems: list[Diagnostic],
               seen: set[int] | None = None) -> object:
    seen = set() if seen is None else seen
    if id(node) in seen:  # an alias (*name): may repeat, or contain, itself without end
        where = path
        while where and where not in positions:
            where = where.rpartition(".")[0]
        problems.append(Diagnostic(positions.get(where, SourcePosition(display, 1 + line_offset, 1)), "error",
                                   "yaml-alias", "YAML aliases (*name) are not supported: write the value out"))
        return None
    seen.add(id(node))
    positions.setdefault(path, SourcePosition(display, node.start_mark.line + 1 + line_offset,
                                              node.start_mark.column + 1))
    if isinstance(node, yaml.MappingNode):
        result: dict[str, object] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = f"{path}.{key}" if path else key
            if key in result:
                problems.append(Diagnostic(
                    SourcePosition(display, key_node.start_mark.line + 1 + line_offset,
                                   key_node.start_mark.column + 1),
                    "error", "yaml-duplicate-key", f"duplicate key {key!r}"))
            positions[child] = SourcePosition(display, key_node.start_mark.line + 1 + line_offset,
                                              key_node.start_mark.column + 1)
            result[key] = _construct(value_node, child, display, line_offset, positions, problems, seen)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_construct(item, f"{path}.{i}" if path else str(i), display, line_offset,
                           positions, problems, seen)
                for i, item in enumerate(node.value)]
    # Scalars stay the text the editor wrote (dates, numbers, DOIs), except
    # null and booleans, which only make sense as such.
    if node.tag == "tag:yaml.org,2002:null":
        return None
    if node.tag == "tag:yaml.org,2002:bool":
        return node.value.lower() in ("true", "yes", "on")
    return node.value


def load_yaml(text: str, display: str, line_offset: int = 0
              ) -> tuple[YamlDocument | None, list[Diagnostic]]:
    """Parse YAML text; malformed YAML yields a diagnostic, never an exception."""
    try:
        try:  # libyaml, when present, composes the same nodes with the same marks, fifteen times faster
            node = yaml.compose(text, Loader=_FAST_LOADER)
        except yaml.YAMLError:  # a mistake: reported in the words (and limits) of the Python loader
            node = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:
        return None, [Diagnostic(SourcePosition(display, 1 + line_offset, 1), "error", "yaml-syntax",
                                 "malformed YAML: values nested too deeply")]
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = (mark.line + 1 if mark else 1) + line_offset
        col = mark.column + 1 if mark else 1
        message = " ".join(str(part) for part in (error.context, error.problem) if part)
        return None, [Diagnostic(SourcePosition(display, line, col), "error", "yaml-syntax",
                                 f"malformed YAML: {message}")]
    except yaml.YAMLError as error:
        return None, [Diagnostic(SourcePosition(display, 1 + line_offset, 1), "error",
                                 "yaml-syntax", f"malformed YAML: {error}")]
    positions: dict[str, SourcePosition] = {}
    problems: list[Diagnostic] = []
    if node is None:
        positions[""] = SourcePosition(display, 1 + line_offset, 1)
        return YamlDocument({}, positions), problems
    try:
        data = _construct(node, "", display, line_offset, positions, problems)
    except RecursionError:
        return None, [Diagnostic(SourcePosition(display, 1 + line_offset, 1), "error", "yaml-syntax",
                                 "malformed YAML: values nested too deeply")]
    return YamlDocument(data, positions), problems
