"""Classes, modules, singleton classes, method tables, constants and
variables (`ruby-subset.md` §3.1, §3.2). Mixed into `Interpreter`."""

from __future__ import annotations

from typing import Any

from .errors import RubyError
from .frame import Cref, lexical_cref
from .objects import MISSING, UNDEF, MethodEntry, RClass, RModule, RSymbol

# Operators with an inline fast path in compiled code; redefining one of them
# on a built-in class turns the fast paths off (compile_calls.py).
FAST_OPERATORS = frozenset(["+", "-", "*", "/", "%", "<", ">", "<=", ">=", "==", "!=",
                            "&", "|", "^", "[]", "[]=", "<<", "!"])
FAST_CLASSES = frozenset(["Integer", "Float", "Numeric", "Comparable", "String", "Symbol",
                          "Array", "Hash", "NilClass", "Object", "Kernel", "BasicObject"])


class ModelMixin:
    Object: RClass
    epoch: int
    const_epoch: int
    method_hooks = False     # a Ruby `method_added`/`singleton_method_added` exists

    # --- classes of values ------------------------------------------------

    def _make_class_of(self) -> Any:
        tcls = self.tcls
        true_cls = self.TrueClass
        false_cls = self.FalseClass

        def class_of(v: Any) -> RModule:
            c = getattr(v, "cls", None)
            if c is not None:
                return c
            if v is True:
                return true_cls
            if v is False:
                return false_cls
            c = tcls.get(v.__class__)
            if c is None:
                c = self._class_of_subclass(v)
            return c
        return class_of

    def _class_of_subclass(self, v: Any) -> RModule:
        for t, c in self.tcls.items():
            if isinstance(v, t):
                return c
        raise TypeError(f"no Ruby class for Python value {type(v).__name__}")

    def real_class(self, v: Any) -> RModule:
        c = self.class_of(v)
        while c.is_singleton:
            c = c.superclass
        return c

    def is_module(self, v: Any) -> bool:
        return isinstance(v, RModule)

    def is_a(self, obj: Any, mod: RModule) -> bool:
        return mod in self.ancestors(self.class_of(obj))

    # --- ancestors and method lookup ------------------------------------------

    def ancestors(self, mod: RModule) -> list[RModule]:
        if mod.anc is not None and mod.anc_epoch == self.epoch:
            return mod.anc
        result: list[RModule] = []
        for p in reversed(mod.prepends):
            for m in self.ancestors(p):
                if m not in result:
                    result.append(m)
        result.append(mod)
        sup = self.ancestors(mod.superclass) if mod.superclass is not None else []
        for inc in reversed(mod.includes):
            for m in self.ancestors(inc):
                if m not in result and m not in sup:
                    result.append(m)
        for m in sup:
            if m not in result:
                result.append(m)
        mod.anc = result
        mod.anc_epoch = self.epoch
        return result

    def find_method(self, cls: RModule, name: str) -> MethodEntry | None:
        if cls.cache_epoch != self.epoch:
            cls.mcache.clear()
            cls.cache_epoch = self.epoch
        m = cls.mcache.get(name, MISSING)
        if m is MISSING:
            m = None
            for mod in self.ancestors(cls):
                e = mod.methods.get(name)
                if e is not None:
                    m = None if e is UNDEF else e
                    break
            cls.mcache[name] = m
        return m

    def find_method_after(self, cls: RModule, owner: RModule, name: str) -> MethodEntry | None:
        """The next `name` after `owner` in cls's ancestors (for `super`)."""
        anc = self.ancestors(cls)
        try:
            start = anc.index(owner) + 1
        except ValueError:
            return None
        for mod in anc[start:]:
            e = mod.methods.get(name)
            if e is not None:
                return None if e is UNDEF else e
        return None

    def add_method(self, target: RModule, entry: MethodEntry) -> None:
        target.methods[entry.name] = entry
        self.epoch += 1
        if entry.name in FAST_OPERATORS and target.name in FAST_CLASSES and \
                not target.is_singleton:
            self.fast_ops[0] = False
        if entry.name in ("method_added", "singleton_method_added") and entry.kind != "native":
            self.method_hooks = True
        if not self.method_hooks:
            return
        hook_target = target.attached if target.is_singleton else target
        if target.is_singleton:
            hook = self.find_method(self.class_of(hook_target), "singleton_method_added")
        else:
            hook = self.find_method(self.class_of(target), "method_added")
        if hook is not None and hook.kind != "native":
            self.call_method_entry(None, hook, hook_target, [RSymbol.get(entry.name)])

    def method_label_for(self, owner: RModule, name: str) -> str:
        """Ruby 3.4 frame label: `Klass#meth`, `Klass.meth`, or bare `meth`."""
        if owner.is_singleton:
            att = owner.attached
            if isinstance(att, RModule) and att.name:
                return f"{att.name}.{name}"
            return name
        if owner.name:
            return f"{owner.name}#{name}"
        return name

    def alias_method(self, f: Any, target: RModule, new: str, old: str) -> None:
        m = self.find_method(target, old)
        if m is None:
            raise self.make_error(f, "NameError",
                                  f"undefined method '{old}' for {self.describe_module(target)}")
        target.methods[new] = m.copy(name=new)
        self.epoch += 1

    def undef_method(self, f: Any, target: RModule, name: str) -> None:
        if self.find_method(target, name) is None:
            raise self.make_error(f, "NameError",
                                  f"undefined method '{name}' for {self.describe_module(target)}")
        target.methods[name] = UNDEF
        self.epoch += 1

    def remove_method(self, f: Any, target: RModule, name: str) -> None:
        if name not in target.methods or target.methods[name] is UNDEF:
            raise self.make_error(f, "NameError",
                                  f"method '{name}' not defined in {self.module_name(target)}")
        del target.methods[name]
        self.epoch += 1

    def describe_module(self, mod: RModule) -> str:
        kind = "class" if mod.is_class else "module"
        return f"{kind} '{self.module_name(mod)}'"

    # --- singleton classes ------------------------------------------------------

    def singleton_class(self, f: Any, obj: Any) -> RClass:
        c = getattr(obj, "cls", MISSING)
        if c is not None and c is not MISSING and c.is_singleton and c.attached is obj:
            return c
        t = type(obj)
        if c is MISSING or t in (int, float, RSymbol) or obj is None or obj is True \
                or obj is False:
            if obj is None:
                return self.NilClass
            if obj is True:
                return self.TrueClass
            if obj is False:
                return self.FalseClass
            raise self.make_error(f, "TypeError", "can't define singleton")
        if isinstance(obj, RModule) and obj.is_class:
            # Metaclass chain: class methods are inherited.
            base = self.singleton_class(f, obj.superclass) if obj.superclass is not None \
                else self.Class
        else:
            base = self.class_of(obj)
        single = RClass(None, base)
        single.interp = self
        single.is_singleton = True
        single.attached = obj
        obj.cls = single
        self.epoch += 1
        return single

    # --- defining classes and modules ---------------------------------------------

    def new_class(self, name: str | None, superclass: RModule | None,
                  container: RModule | None = None) -> RClass:
        klass = RClass(name, superclass)
        klass.interp = self
        klass.lexical_parent = container
        if superclass is not None:
            klass.allocator = superclass.allocator
            superclass.subclasses.append(klass)
            # Class methods are inherited through the metaclass chain.
            if superclass.cls is not None and superclass.cls.is_singleton:
                self.singleton_class(None, klass)
        return klass

    def new_module(self, name: str | None) -> RModule:
        mod = RModule(name)
        mod.interp = self
        return mod

    def qualified_name(self, container: RModule | None, name: str) -> str:
        if container is None or container is self.Object or container.is_singleton \
                or not container.name:
            return name
        return f"{container.name}::{name}"

    def open_class(self, f: Any, container: RModule, name: str, superclass: Any,
                   has_super: bool) -> RClass:
        existing = container.consts.get(name, MISSING)
        if existing is MISSING and container is self.Object:
            existing = MISSING
        if existing is not MISSING:
            if not (isinstance(existing, RModule) and existing.is_class):
                raise self.make_error(f, "TypeError", f"{name} is not a class")
            if has_super and superclass is not existing.superclass and \
                    self._real_superclass(existing) is not superclass:
                raise self.make_error(f, "TypeError", f"superclass mismatch for class {name}")
            return existing
        if has_super:
            if not (isinstance(superclass, RModule) and superclass.is_class):
                raise self.make_error(f, "TypeError",
                                      f"superclass must be an instance of Class (given an "
                                      f"instance of {self.real_class(superclass).name})")
        else:
            superclass = self.Object
        klass = self.new_class(self.qualified_name(container, name), superclass, container)
        self.const_set(f, container, name, klass)
        self._inherited(f, superclass, klass)
        return klass

    def _real_superclass(self, klass: RModule) -> RModule | None:
        sup = klass.superclass
        while sup is not None and not sup.is_class:
            sup = sup.superclass
        return sup

    def _inherited(self, f: Any, superclass: RModule, klass: RClass) -> None:
        hook = self.find_method(self.class_of(superclass), "inherited")
        if hook is not None and hook.kind != "native":
            self.call_method_entry(f, hook, superclass, [klass])

    def open_module(self, f: Any, container: RModule, name: str) -> RModule:
        existing = container.consts.get(name, MISSING)
        if existing is not MISSING:
            if not isinstance(existing, RModule) or existing.is_class:
                raise self.make_error(f, "TypeError", f"{name} is not a module")
            return existing
        mod = self.new_module(self.qualified_name(container, name))
        mod.lexical_parent = container
        self.const_set(f, container, name, mod)
        return mod

    def run_body(self, f: Any, klass: RModule, body: Any, info: Any, line: int) -> Any:
        fr = self.Frame()
        fr.self_ = klass
        fr.vars = [None] * info.nvars
        fr.home = fr
        fr.ret_target = fr
        fr.prev = f
        fr.ts = f.ts
        fr.code = info
        fr.cref = Cref(klass, lexical_cref(f))
        fr.deftarget = klass
        fr.line = line
        fr.depth = f.depth + 1
        try:
            return body(fr)
        except RubyError as e:
            if e.exc.bt is None:
                e.exc.bt = self.backtrace(fr)
            raise

    def check_module(self, f: Any, mod: Any) -> None:
        if not isinstance(mod, RModule):
            raise self.make_error(f, "TypeError",
                                  f"{self.inspect(f, mod)} is not a class/module")

    def module_at(self, path: str, create: bool = False) -> RModule:
        """The module the host knows as PATH. Like the C API's `rb_cFoo`
        references, what the interpreter and its host defined stays theirs:
        a program that later reassigns `ArgumentError` or `Milter::Manager`
        changes its own constant, not what the natives raise or use."""
        known = self.host_modules.get(path)
        if known is not None:
            return known
        mod: RModule = self.Object
        for part in path.split("::"):
            nxt = mod.consts.get(part)
            if nxt is None:
                if not create:
                    raise KeyError(path)
                nxt = self.new_module(self.qualified_name(mod, part))
                nxt.lexical_parent = mod
                mod.consts[part] = nxt
            elif not isinstance(nxt, RModule):
                raise self.error("TypeError", f"{self.inspect(None, nxt)} is not a class/module")
            mod = nxt
        self.host_modules[path] = mod
        return mod

    def remember_host_modules(self) -> None:
        """Record every module defined so far under its path (module_at)."""
        pending = [("", self.Object)]
        seen = {id(self.Object)}
        while pending:
            prefix, mod = pending.pop()
            for name, value in list(mod.consts.items()):
                if isinstance(value, RModule) and id(value) not in seen:
                    seen.add(id(value))
                    path = prefix + name
                    self.host_modules.setdefault(path, value)
                    pending.append((path + "::", value))

    # --- constants --------------------------------------------------------------

    def const_lookup(self, f: Any, cref: Cref | None, name: str) -> Any:
        c = cref
        while c is not None:
            v = c.module.consts.get(name, MISSING)
            if v is not MISSING:
                return v
            c = c.parent
        start = cref.module if cref is not None else self.Object
        for mod in self.ancestors(start):
            v = mod.consts.get(name, MISSING)
            if v is not MISSING:
                return v
        if start is not self.Object:
            for mod in self.ancestors(self.Object):
                v = mod.consts.get(name, MISSING)
                if v is not MISSING:
                    return v
        return self.const_missing(f, start, name, lexical=True)

    def const_missing(self, f: Any, mod: RModule, name: str, lexical: bool = False) -> Any:
        hook = self.find_method(self.class_of(mod), "const_missing")
        if hook is not None and hook.kind != "native":
            return self.call_method_entry(f, hook, mod, [RSymbol.get(name)])
        if mod is self.Object or mod.is_singleton or not mod.name:
            full = name
        else:
            full = f"{mod.name}::{name}"
        raise self.make_error(f, "NameError", f"uninitialized constant {full}",
                              name=RSymbol.get(name))

    def const_get_scoped(self, f: Any, mod: Any, name: str, line: int = 0,
                         top: bool = False) -> Any:
        if line:
            f.line = line
        if not isinstance(mod, RModule):
            raise self.make_error(f, "TypeError", f"{self.inspect(f, mod)} is not a class/module")
        v = self.const_find(mod, name, inherit_object=mod is self.Object)
        if v is MISSING:
            return self.const_missing(f, mod, name)
        return v

    def const_find(self, mod: RModule, name: str, inherit_object: bool = False) -> Any:
        for m in self.ancestors(mod):
            if m is self.Object and not inherit_object and mod is not self.Object:
                break
            v = m.consts.get(name, MISSING)
            if v is not MISSING:
                return v
        return MISSING

    def const_set(self, f: Any, mod: RModule, name: str, v: Any) -> None:
        mod.consts[name] = v
        self.const_epoch += 1
        if isinstance(v, RModule) and v.name is None:
            v.name = self.qualified_name(mod, name)
            v.lexical_parent = mod

    # --- instance, class and global variables ----------------------------------------

    def ivar_get(self, obj: Any, name: str) -> Any:
        iv = getattr(obj, "ivars", None)
        return iv.get(name) if iv else None

    def ivar_set(self, f: Any, obj: Any, name: str, v: Any) -> Any:
        if not hasattr(obj, "ivars") or type(obj) in (RSymbol,):
            raise self.make_error(f, "FrozenError",
                                  f"can't modify frozen {self.real_class(obj).name}: "
                                  f"{self.inspect(f, obj)}")
        if obj.frozen:
            raise self.frozen_error(f, obj)
        iv = obj.ivars
        if iv is None:
            iv = obj.ivars = {}
        iv[name] = v
        return v

    def _cvar_base(self, f: Any) -> RModule:
        cref = lexical_cref(f)
        while cref is not None and cref.module.is_singleton:
            cref = cref.parent
        if cref is None:
            return self.Object
        return cref.module

    def cvar_holder(self, mod: RModule, name: str) -> RModule | None:
        for m in self.ancestors(mod):
            if name in m.cvars:
                return m
        return None

    def cvar_get(self, f: Any, name: str) -> Any:
        base = self._cvar_base(f)
        holder = self.cvar_holder(base, name)
        if holder is None:
            raise self.make_error(f, "NameError", f"uninitialized class variable {name} in "
                                  f"{self.module_name(base)}", name=RSymbol.get(name))
        return holder.cvars[name]

    def cvar_defined(self, f: Any, name: str) -> bool:
        return self.cvar_holder(self._cvar_base(f), name) is not None

    def cvar_set(self, f: Any, name: str, v: Any) -> None:
        base = self._cvar_base(f)
        holder = self.cvar_holder(base, name) or base
        holder.cvars[name] = v

    def gvar_get(self, f: Any, name: str) -> Any:
        special = self.special_gvars.get(name)
        if special is not None:
            return special[0](f)
        if name[1:2].isdigit() and name[1] != "0":
            return self.nth_ref(f, int(name[1:]))
        return self.gvars.get(self.gvar_aliases.get(name, name))

    def gvar_set(self, f: Any, name: str, v: Any) -> None:
        special = self.special_gvars.get(name)
        if special is not None:
            if special[1] is None:
                raise self.make_error(f, "NameError", f"{name} is a read-only variable")
            special[1](f, v)
            return
        self.gvars[self.gvar_aliases.get(name, name)] = v

    def gvar_defined(self, f: Any, name: str) -> bool:
        if name in self.special_gvars:
            return self.special_gvars[name][0](f) is not None
        return self.gvar_aliases.get(name, name) in self.gvars

    def alias_gvar(self, new: str, old: str) -> None:
        if old in self.special_gvars:
            self.special_gvars[new] = self.special_gvars[old]
        else:
            self.gvar_aliases[new] = self.gvar_aliases.get(old, old)

    # --- names -------------------------------------------------------------------

    def module_name(self, mod: RModule) -> str:
        if mod.name:
            return mod.name
        if mod.is_singleton:
            att = mod.attached
            if isinstance(att, RModule):
                return f"#<Class:{self.module_name(att)}>"
            return f"#<Class:#<{self.module_name(self.real_class(att))}:0x{self.address(att)}>>"
        return f"#<{'Class' if mod.is_class else 'Module'}:0x{self.address(mod)}>"

    def address(self, obj: Any) -> str:
        from .objects import object_id
        return f"{object_id(obj) * 8:016x}"

