"""`define_policy` (config.md §11): `Milter::Manager::Policy` objects and the
"Policy" condition applied at the end of a top-level load."""

from __future__ import annotations

from typing import Any

from milter_manager.config.dsl.convert import library_site
from milter_manager.config.values import truthy
from milter_manager.ruby.objects import RArray

ATTRIBUTES = ("milters", "host", "address", "fqdn", "from", "recipient")
DESCRIPTION = "Apply policies defined by define_policy"


class PolicyPayload:
    def __init__(self, name: Any) -> None:
        self.name = name
        self.values: dict[str, Any] = {"milters": RArray()}


def install(session: Any) -> None:
    interp = session.interp
    cls = interp.define_class("Milter::Manager::Policy")
    session.policy_class = cls
    session.dsl.define_inspect(cls)
    interp.define_native(cls, "name", lambda i, r, a, k, b: r.payload.name, arity=0)
    for attribute in ATTRIBUTES:
        def get(interp, recv, args, kwargs, block, attribute=attribute):
            return recv.payload.values.get(attribute)

        def put(interp, recv, args, kwargs, block, attribute=attribute):
            recv.payload.values[attribute] = args[0]
            return args[0]
        interp.define_native(cls, attribute, get, arity=0)
        interp.define_native(cls, f"{attribute}=", put, arity=1)


def new_policy(session: Any, name: Any) -> Any:
    return session.interp.new_object(session.policy_class, PolicyPayload(name))


def apply_policies(session: Any, policies: list[Any]) -> None:
    """§11 steps 1–2: condition "Policy" (native stoppers), attached to every milter."""
    interp = session.interp
    config = session.config
    values = [policy.payload.values for policy in policies]

    def matches(matcher: Any, value: Any) -> bool:
        # nil never matches; otherwise `matcher === value` (String, Regexp, Proc, ...).
        return matcher is not None and truthy(interp.call_method(matcher, "===", value))

    def targets(policy: dict[str, Any], context: Any) -> bool:
        name = interp.call_method(context, "name")
        milters = policy.get("milters") or []
        frame = interp.host_frame()
        return any(interp.to_s(frame, milter) == name.s for milter in milters)

    def checker(*attributes: str):
        def stopper(context: Any, *args: Any) -> bool:
            for policy in values:
                if not targets(policy, context):
                    continue
                if not any(matches(policy.get(attribute), value)
                           for attribute, value in zip(attributes, args)):
                    return True
            return False
        return stopper

    def data_stopper(context: Any, *args: Any) -> bool:
        # Upstream semantics, kept: every milter a policy does not name stops at DATA.
        return any(not targets(policy, context) for policy in values)

    def configure(loader: Any) -> None:
        condition = loader.payload.condition
        config.set_condition_description(condition, DESCRIPTION, library_site())
        condition.add_stopper("connect", checker("host", "address"))
        # [deviation] upstream's helo check raises (undefined variable): works here.
        condition.add_stopper("helo", checker("fqdn"))
        condition.add_stopper("envelope_from", checker("from"))
        condition.add_stopper("envelope_recipient", checker("recipient"))
        condition.add_stopper("data", data_stopper)

    session.define_condition("Policy", library_site(), configure)
    for egg in list(config.eggs):
        session.define_milter(egg.name, library_site(), lambda loader: config.add_egg_condition(
            loader.payload.egg, "Policy", library_site()))

