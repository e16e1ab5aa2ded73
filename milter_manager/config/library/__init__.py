"""The `Milter::*` library objects that configuration files and stoppers use
(ruby-subset.md §9): Python cores (socket_address, netstat, breaker,
postfix_tables) and their Ruby bindings, installed on each load cycle's
interpreter by `install(session)`.
"""

from __future__ import annotations

from typing import Any


def install(session: Any) -> None:
    from milter_manager.config.library import bindings, contexts, policy, postfix_tables
    bindings.install(session)
    contexts.install(session)
    policy.install(session)
    postfix_tables.install(session)
