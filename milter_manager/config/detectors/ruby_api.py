"""The Ruby-visible detectors and config readers (ruby-subset.md §9.11,
detectors.md §3, §8, §10) on one load cycle's interpreter.

`DebianDetector.new(configuration, name) { |sub_detector, spec| ... }`,
`detect`, `apply(loader) { |milter| ... }`, `enabled?`, `command`,
`command_options`; the sub-detectors handed to the block
(`Milter::Manager::SystemdDetector`, `Milter::Manager::DebianInitDetector`);
`ClamAVMilterConfigParser`, `OpenDKIMConfigParser`,
`MilterGreylistConfigParser`, `RspamdProxyDetector`; and the other
platforms' detectors, which detect nothing (§10).
"""

from __future__ import annotations

import os
from typing import Any

from milter_manager.config import log_level
from milter_manager.config.detectors.debian import DebianDetector, SubDetector
from milter_manager.config.detectors.readers import (
    ClamAVMilterConfig,
    MilterGreylistConfig,
    OpenDKIMConfig,
    RspamdProxyDetector,
)
from milter_manager.config.detectors.root import DetectorRoot
from milter_manager.config.detectors.shell import normalize_connection_spec
from milter_manager.config.dsl.convert import library_site
from milter_manager.ruby.objects import RArray, RHash, RString

MODULE = "Milter::Manager"
OTHER_PLATFORMS = ("RedHatDetector", "FreeBSDRCDetector", "PkgsrcRCDetector")
UNSUPPORTED = ("[detector][unsupported] milter auto-detection is only implemented for the "
               "debian platform")


def detector_root(session: Any) -> DetectorRoot:
    """The load cycle's detector root (detectors.md §2)."""
    host_root = getattr(session.host, "detector_root", None)
    if host_root is not None:
        return DetectorRoot(host_root())
    return DetectorRoot(os.environ.get("MILTER_MANAGER_DETECTOR_ROOT") or "/")


def _string(value: str | None) -> Any:
    return None if value is None else RString(value)


def _strings(values: list[str] | None) -> Any:
    return None if values is None else RArray(RString(value) for value in values)


class Bindings:
    """Everything one load cycle's detectors need: the session, the root and
    the Ruby classes."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self.interp = session.interp
        self.dsl = session.dsl
        self.root = detector_root(session)
        self.warned_unsupported = False

    def native(self, cls: Any, name: str, fn: Any, arity: Any) -> None:
        # The DSL guard turns a configuration error (an invalid detected spec)
        # into the Ruby exception of its class (config.md §14).
        self.dsl.native(cls, name, fn, arity)

    def text(self, value: Any) -> str:
        return self.interp.to_s(self.interp.host_frame(), value)

    # --- the Debian detector ----------------------------------------------------

    def install_debian(self) -> None:
        interp = self.interp
        cls = interp.define_class(f"{MODULE}::DebianDetector")
        systemd_cls = interp.define_class(f"{MODULE}::SystemdDetector")
        init_cls = interp.define_class(f"{MODULE}::DebianInitDetector")
        sub_objects: dict[int, Any] = {}

        def sub_object(sub: SubDetector) -> Any:
            obj = sub_objects.get(id(sub))
            if obj is None:
                obj = interp.new_object(systemd_cls if sub.kind == "systemd" else init_cls, sub)
                sub_objects[id(sub)] = obj
            return obj

        def new(interp, recv, args, kwargs, block):
            spec_detector = None
            if block is not None:
                def spec_detector(sub: SubDetector, spec: str | None) -> str | None:
                    result = interp.call_proc(block, sub_object(sub), _string(spec))
                    return None if result is None else self.text(result)
            detector = DebianDetector(self.root, self.text(args[1]), spec_detector)
            return interp.new_object(recv, detector)

        def detect(interp, recv, args, kwargs, block):
            recv.payload.detect()

        def apply(interp, recv, args, kwargs, block):
            self.apply(recv.payload, block)

        # Detection runs on the load cycle's own fresh interpreter, where no
        # other thread waits for the lock: the calls keep it (the §8.3 block
        # is Ruby code called from inside).
        interp.define_singleton_native(cls, "new", new, arity=2)
        self.native(cls, "detect", detect, 0)
        self.native(cls, "apply", apply, 1)
        interp.define_native(cls, "enabled?", lambda i, r, a, k, b: r.payload.enabled,
                             arity=0)
        interp.define_native(cls, "command", lambda i, r, a, k, b: _string(
            r.payload.command), arity=0)
        interp.define_native(cls, "command_options", lambda i, r, a, k, b: _strings(
            r.payload.command_options), arity=0)

        for sub_cls in (systemd_cls, init_cls):
            interp.define_native(sub_cls, "name", lambda i, r, a, k, b: _string(
                r.payload.name), arity=0)
            interp.define_native(sub_cls, "variables", lambda i, r, a, k, b: RHash(
                (RString(key), RString(value)) for key, value in r.payload.variables.items()),
                arity=0)
            interp.define_native(sub_cls, "description", lambda i, r, a, k, b: _string(
                r.payload.description), arity=0)
            interp.define_native(sub_cls, "enabled?", lambda i, r, a, k, b: r.payload.enabled,
                                 arity=0)
            interp.define_native(sub_cls, "command", lambda i, r, a, k, b: _string(
                r.payload.command), arity=0)
            interp.define_native(sub_cls, "command_options", lambda i, r, a, k, b: _strings(
                r.payload.command_options), arity=0)
        interp.define_native(init_cls, "info", lambda i, r, a, k, b: RHash(
            (RString(key), RString(value)) for key, value in r.payload.info.items()), arity=0)

    def apply(self, detector: DebianDetector, block: Any) -> None:
        """detectors.md §8.2: define the candidate's milter through the loader."""
        sub = detector.applying
        if sub is None:
            return
        spec = sub.spec
        tarpit = (sub.greylist_config().max_tarpit_time
                  if detector.candidate == "milter-greylist" else None)
        config = self.session.config
        interp = self.interp

        def body(loader: Any) -> None:
            egg = loader.payload.egg
            config.set_egg(egg, "enabled", sub.enabled, library_site())
            config.set_egg(egg, "description", sub.description, library_site())
            config.set_egg(egg, "command", sub.command, library_site())
            config.set_egg(egg, "command_options", sub.command_options, library_site())
            if spec is not None:
                config.set_egg(egg, "connection_spec", normalize_connection_spec(spec),
                               library_site())
            if tarpit is not None:
                add_tarpit(config, egg, tarpit)
            if block is not None:
                interp.call_proc(block, loader)
        self.session.define_milter(detector.candidate, library_site(), body)

    # --- the config readers (ruby-subset.md §9.11) ---------------------------------

    def install_readers(self) -> None:
        interp = self.interp
        root = self.root

        def reader(class_name: str, make: Any, getters: dict[str, Any]) -> Any:
            cls = interp.define_class(f"{MODULE}::{class_name}")
            interp.define_singleton_native(
                cls, "new", lambda i, r, a, k, b: i.new_object(r, make()), arity=0)

            def parse(interp, recv, args, kwargs, block):
                path = self.text(args[0])
                with interp.released():
                    recv.payload.parse(root, path)
                return recv
            interp.define_native(cls, "parse", parse, arity=1)
            for name, getter in getters.items():
                interp.define_native(cls, name, lambda i, r, a, k, b, getter=getter:
                                     getter(r.payload), arity=0)
            return cls

        reader("ClamAVMilterConfigParser", ClamAVMilterConfig, {
            "milter_socket": lambda c: _string(c.milter_socket),
            "example?": lambda c: c.example})
        reader("OpenDKIMConfigParser", OpenDKIMConfig, {
            "socket": lambda c: _string(c.socket)})
        greylist = reader("MilterGreylistConfigParser", MilterGreylistConfig, {
            "socket": lambda c: _string(c.socket),
            "max_tarpit_time": lambda c: c.max_tarpit_time})

        def greylist_apply(interp, recv, args, kwargs, block):
            egg = getattr(args[0].payload, "egg", None) if args else None
            if egg is None:
                raise interp.error("TypeError", "a milter (define_milter's block "
                                   "argument) is expected")
            if recv.payload.max_tarpit_time is not None:
                add_tarpit(self.session.config, egg, recv.payload.max_tarpit_time)
        self.native(greylist, "apply", greylist_apply, 1)

        rspamd = interp.define_class(f"{MODULE}::RspamdProxyDetector")

        def rspamd_new(interp, recv, args, kwargs, block):
            path = self.text(args[0]) if args else None
            return interp.new_object(recv, RspamdProxyDetector(root, path))

        def rspamd_detect(interp, recv, args, kwargs, block):
            with interp.released():
                return _string(recv.payload.detect())
        interp.define_singleton_native(rspamd, "new", rspamd_new, arity=(0, 1))
        interp.define_native(rspamd, "detect", rspamd_detect, arity=0)

    # --- other platforms (§10) ------------------------------------------------------

    def install_other_platforms(self) -> None:
        interp = self.interp
        for class_name in OTHER_PLATFORMS:
            cls = interp.define_class(f"{MODULE}::{class_name}")

            def new(interp, recv, args, kwargs, block):
                return interp.new_object(recv, self.text(args[1]))

            def detect(interp, recv, args, kwargs, block):
                # [deviation] only Debian is detected; one warning per load cycle.
                if not self.warned_unsupported:
                    self.warned_unsupported = True
                    self.session.log(log_level.WARNING, UNSUPPORTED)

            interp.define_singleton_native(cls, "new", new, arity=2)
            interp.define_native(cls, "detect", detect, arity=0)
            interp.define_native(cls, "apply", lambda i, r, a, k, b: None, arity=1)
            interp.define_native(cls, "enabled?", lambda i, r, a, k, b: False, arity=0)
            interp.define_native(cls, "command", lambda i, r, a, k, b: None, arity=0)
            interp.define_native(cls, "command_options", lambda i, r, a, k, b: None, arity=0)


def add_tarpit(config: Any, egg: Any, seconds: int) -> None:
    """detectors.md §7.3 step 4: greylist's tarpit widens its timeouts."""
    config.set_egg(egg, "writing_timeout", float(egg.writing_timeout) + seconds,
                   library_site())
    config.set_egg(egg, "reading_timeout", float(egg.reading_timeout) + seconds,
                   library_site())


def install(session: Any) -> None:
    bindings = Bindings(session)
    bindings.install_debian()
    bindings.install_readers()
    bindings.install_other_platforms()
