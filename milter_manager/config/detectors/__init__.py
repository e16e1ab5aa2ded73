"""Milter auto-detection for `load_default` (detectors.md).

The hook the stock `defaults/PLATFORM.conf` files use: the constants
`DebianDetector`, `RedHatDetector`, `FreeBSDRCDetector`, `PkgsrcRCDetector`
(Ruby API: `new(configuration, name, &spec_detector)`, `detect`,
`apply(loader) { |milter| ... }`, `enabled?`, `command`, `command_options`).

This module is a placeholder until the detectors issue fills it in: every
detector here detects nothing, so `apply` defines no milter — which is what
the Debian detector does on an empty detector root (detectors.md §9.1). A
real detector defines its milter with
`session.define_milter(name, session.library_site(), body)` and sets its
attributes through `session.config.set_egg(egg, item, value, library_site())`
so that locations point into the library (config.md §12); the detector root
is `session.host.detector_root()`.
"""

from __future__ import annotations

from typing import Any

from milter_manager.config import log_level

DETECTORS = ("DebianDetector", "RedHatDetector", "FreeBSDRCDetector", "PkgsrcRCDetector")
UNSUPPORTED = ("[detector][unsupported] milter auto-detection is only implemented for the "
               "debian platform")


class DetectorPayload:
    def __init__(self, name: str) -> None:
        self.name = name


def install(session: Any) -> None:
    interp = session.interp
    warned = [False]
    for class_name in DETECTORS:
        cls = interp.define_class(f"Milter::Manager::{class_name}")
        debian = class_name == "DebianDetector"

        def new(interp, recv, args, kwargs, block):
            name = interp.to_s(interp.host_frame(), args[1]) if len(args) > 1 else ""
            return interp.new_object(recv, DetectorPayload(name))

        def detect(interp, recv, args, kwargs, block, debian=debian):
            # detectors.md §10: other platforms detect nothing, with one warning
            # per load cycle.
            if not debian and not warned[0]:
                warned[0] = True
                session.log(log_level.WARNING, UNSUPPORTED)

        interp.define_singleton_native(cls, "new", new, arity=(2, 2))
        interp.define_native(cls, "detect", detect, arity=0)
        interp.define_native(cls, "apply", lambda i, r, a, k, b: None, arity=1)
        interp.define_native(cls, "enabled?", lambda i, r, a, k, b: False, arity=0)
        interp.define_native(cls, "command", lambda i, r, a, k, b: None, arity=0)
        interp.define_native(cls, "command_options", lambda i, r, a, k, b: None, arity=0)
