"""`commands.hybrid_command`, `commands.hybrid_group` and a group's `.command`, for methods of a cog, typed so that
mypy can check them.

discord.py types these decorators over a union of two callbacks (a cog method or a free function), which mypy
cannot match a method against ("expected def (Never, Never, ...)"). These take a cog method only and hand it to
discord.py's own decorator unchanged: the command is the same object, with the same name, options and checks.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Concatenate, ParamSpec, TypeVar

from discord.ext import commands

CogT = TypeVar("CogT", bound=commands.Cog)
P = ParamSpec("P")
T = TypeVar("T")

# A command method of a cog: `async def name(self, ctx, ...) -> T`.
Method = Callable[Concatenate[CogT, commands.Context[Any], P], Coroutine[Any, Any, T]]


def hybrid_command(name: str, **attrs: Any) -> Callable[[Method[CogT, P, T]], commands.HybridCommand[CogT, P, T]]:
    """`@commands.hybrid_command(name, **attrs)` on a cog method."""
    def decorator(func: Method[CogT, P, T]) -> commands.HybridCommand[CogT, P, T]:
        return commands.hybrid_command(name, **attrs)(func)

    return decorator


def hybrid_group(name: str, **attrs: Any) -> Callable[[Method[CogT, P, T]], commands.HybridGroup[CogT, P, T]]:
    """`@commands.hybrid_group(name, **attrs)` on a cog method."""
    def decorator(func: Method[CogT, P, T]) -> commands.HybridGroup[CogT, P, T]:
        return commands.hybrid_group(name, **attrs)(func)

    return decorator


def subcommand(group: commands.HybridGroup[Any, ..., Any], name: str, **attrs: Any
               ) -> Callable[[Method[CogT, P, T]], commands.HybridCommand[CogT, P, T]]:
    """`@group.command(name, **attrs)` on a cog method: a subcommand of the hybrid group."""
    def decorator(func: Method[CogT, P, T]) -> commands.HybridCommand[CogT, P, T]:
        return group.command(name, **attrs)(func)

    return decorator


__all__ = ["hybrid_command", "hybrid_group", "subcommand"]
