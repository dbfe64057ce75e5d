"""Safe YAML reading: no arbitrary objects, no yes/no/on/off booleans, no silent duplicate keys.

Bad text raises `bot.typed.DataError` naming the line and column, as `bot.typed.convert` names the key of data
that does not fit its type; the knowledge base and the config both read their files this way.
`load_yaml_lines` also says on which line each mapping and list starts, so an error can name the record.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from bot.typed import DataError

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present


class StrictLoader(_Base):  # type: ignore[valid-type, misc]
    """A safe loader where only true/false are booleans, dates stay strings, and keys are unique.

    YAML 1.1 reads `no` (Norway's code, or a plain answer) as False and `2020-06-15` as a date;
    in this knowledge base both must stay text.
    """


StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark, "found unhashable key", key_node.start_mark
            ) from None
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen[key] = loader.construct_object(value_node, deep=True)
    _remember_line(loader, seen, node)
    return seen


def _sequence(loader: yaml.SafeLoader, node: yaml.SequenceNode) -> list[Any]:
    items = [loader.construct_object(child, deep=True) for child in node.value]
    _remember_line(loader, items, node)
    return items


def _remember_line(loader: yaml.SafeLoader, value: Any, node: yaml.Node) -> None:
    """Record the 1-based line where `value` starts, when the loader keeps lines."""
    lines = getattr(loader, "lines", None)
    if lines is not None:
        lines[id(value)] = node.start_mark.line + 1


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def _error(exc: yaml.YAMLError) -> DataError:
    """The parser's complaint as `DataError("line 3, column 5", "invalid YAML: ...")`."""
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return DataError(where, f"invalid YAML: {problem}")


def load_yaml(text: str) -> Any:
    """Parse YAML text with `StrictLoader`; raises `DataError` on bad input."""
    try:
        return yaml.load(text, Loader=StrictLoader)
    except yaml.YAMLError as exc:
        raise _error(exc) from None


def load_yaml_lines(text: str) -> tuple[Any, dict[int, int]]:
    """Parse like `load_yaml`, and map `id()` of every mapping and list in the result to its first line."""
    try:
        loader = StrictLoader(text)
        loader.lines = {}
        try:
            return loader.get_single_data(), loader.lines
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise _error(exc) from None
