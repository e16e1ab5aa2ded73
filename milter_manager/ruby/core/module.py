"""Module and Class (`ruby-subset.md` §3.1, §3.4): names, ancestors,
include/extend, visibility, attr_*, define_method, constants, class_eval,
`new`."""

from __future__ import annotations

from typing import Any

from ..native import Registry
from ..objects import (
    UNDEF,
    MethodEntry,
    RArray,
    RClass,
    RModule,
    RObject,
    RProc,
    RString,
)
from .util import name_arg, sym, truthy

reg = Registry()
M = "Module"
C = "Class"


def _mod(f: Any, v: Any) -> RModule:
    if not isinstance(v, RModule):
        raise f.interp.error("TypeError", f"{f.interp.inspect(f, v)} is not a class/module")
    return v


@reg.method(M, "name", arity=0)
def name(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    return RString(self.name, frozen=True) if self.name else None


@reg.method(M, "to_s", "inspect", arity=0)
def to_s(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    return RString(f.interp.module_name(self))


@reg.method(M, "===", arity=1)
def case_eq(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    return f.interp.is_a(args[0], self)


@reg.method(M, "==", "equal?", "eql?", arity=1)
def eq(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    return self is args[0]


@reg.method(M, "<", arity=1)
def lt(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    other = _mod(f, args[0])
    if self is other:
        return False
    if other in f.interp.ancestors(self):
        return True
    if self in f.interp.ancestors(other):
        return False
    return None


@reg.method(M, "<=", arity=1)
def le(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    return True if self is args[0] else lt(f, self, args, kw, blk)


@reg.method(M, ">", arity=1)
def gt(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    return lt(f, _mod(f, args[0]), [self], kw, blk)


@reg.method(M, ">=", arity=1)
def ge(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    return True if self is args[0] else gt(f, self, args, kw, blk)


@reg.method(M, "<=>", arity=1)
def cmp(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    other = args[0]
    if self is other:
        return 0
    if not isinstance(other, RModule):
        return None
    r = lt(f, self, [other], kw, blk)
    return None if r is None else (-1 if r else 1)


@reg.method(M, "hash", arity=0)
def hash_(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    return id(self) >> 4


@reg.method(M, "ancestors", arity=0)
def ancestors(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    return RArray(m for m in f.interp.ancestors(self))


@reg.method(M, "include", arity=(1, -1))
def include(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    for mod in args:
        if not isinstance(mod, RModule) or mod.is_class:
            raise interp.error("TypeError", f"wrong argument type {interp.class_name(mod)} "
                               f"(expected Module)")
        if mod not in interp.ancestors(self):
            self.includes.append(mod)
            interp.epoch += 1
            if self.name in ("Integer", "Float", "String", "Array", "Hash"):
                interp.fast_ops[0] = False
        hook = interp.find_method(interp.class_of(mod), "included")
        if hook is not None and hook.kind != "native":
            hook.invoke(f, mod, [self], None, None)
    return self


@reg.method(M, "prepend", arity=(1, -1))
def prepend(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    for mod in args:
        if not isinstance(mod, RModule) or mod.is_class:
            raise interp.error("TypeError", f"wrong argument type {interp.class_name(mod)} "
                               f"(expected Module)")
        if mod not in self.prepends:
            self.prepends.append(mod)
            interp.epoch += 1
            interp.fast_ops[0] = False
        hook = interp.find_method(interp.class_of(mod), "prepended")
        if hook is not None and hook.kind != "native":
            hook.invoke(f, mod, [self], None, None)
    return self


@reg.method(M, "include?", arity=1)
def include_p(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    mod = args[0]
    return mod is not self and not getattr(mod, "is_class", True) and \
        mod in f.interp.ancestors(self)


@reg.method(M, "included_modules", arity=0)
def included_modules(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    return RArray(m for m in f.interp.ancestors(self) if not m.is_class)


@reg.method(M, "included", "extended", "prepended", "method_added", "method_removed",
            "method_undefined", arity=1, visibility="private")
def hook_noop(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return None


@reg.method(M, "extend_object", arity=1, visibility="private")
def extend_object(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    single = f.interp.singleton_class(f, args[0])
    if self not in single.includes:
        single.includes.append(self)
        f.interp.epoch += 1
    return args[0]


def _methods_of(f: Any, mod: RModule, inherit: bool, want: tuple[str, ...]) -> RArray:
    interp = f.interp
    seen: dict[str, None] = {}
    hidden: set[str] = set()
    mods = interp.ancestors(mod) if inherit else [mod]
    for m in mods:
        if inherit and m in (interp.Object, interp.Kernel, interp.BasicObject) and \
                mod not in (interp.Object, interp.Kernel, interp.BasicObject):
            break
        for n, e in m.methods.items():
            if n in seen or n in hidden:
                continue
            if e is UNDEF:
                hidden.add(n)
                continue
            if e.visibility in want:
                seen[n] = None
            else:
                hidden.add(n)
    return RArray(sym(n) for n in seen)


@reg.method(M, "instance_methods", "public_instance_methods", arity=(0, 1))
def instance_methods(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    return _methods_of(f, self, not args or truthy(args[0]), ("public", "protected"))


@reg.method(M, "private_instance_methods", arity=(0, 1))
def private_instance_methods(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    return _methods_of(f, self, not args or truthy(args[0]), ("private",))


def _defined(f: Any, self: RModule, args: list, want: tuple[str, ...]) -> bool:
    m = f.interp.find_method(self, name_arg(f, args[0]))
    return m is not None and m.visibility in want


@reg.method(M, "method_defined?", arity=(1, 2))
def method_defined(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    return _defined(f, self, args, ("public", "protected"))


@reg.method(M, "public_method_defined?", arity=(1, 2))
def public_method_defined(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    return _defined(f, self, args, ("public",))


@reg.method(M, "private_method_defined?", arity=(1, 2))
def private_method_defined(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    return _defined(f, self, args, ("private",))


@reg.method(M, "protected_method_defined?", arity=(1, 2))
def protected_method_defined(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    return _defined(f, self, args, ("protected",))


@reg.method(M, "instance_method", "public_instance_method", arity=1)
def instance_method(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    from .proc import make_unbound_method
    return make_unbound_method(f, self, name_arg(f, args[0]))


# --- attributes ---------------------------------------------------------------------

def attr_reader_entry(interp: Any, owner: RModule, name: str, visibility: str) -> MethodEntry:
    ivar = "@" + name

    def invoke(f: Any, recv: Any, args: list, kw: Any, blk: Any) -> Any:
        if args or (kw is not None and kw.d):
            raise interp.arity_error(f, len(args) + (1 if kw is not None and kw.d else 0),
                                     0, 0, interp.method_label_for(owner, name))
        iv = getattr(recv, "ivars", None)
        return iv.get(ivar) if iv else None
    return MethodEntry(name, owner, visibility, invoke, "attr_reader", ivar, 0)


def attr_writer_entry(interp: Any, owner: RModule, name: str, visibility: str) -> MethodEntry:
    ivar = "@" + name

    def invoke(f: Any, recv: Any, args: list, kw: Any, blk: Any) -> Any:
        if kw is not None and kw.d:
            args = args + [kw]
        if len(args) != 1:
            raise interp.arity_error(f, len(args), 1, 1,
                                     interp.method_label_for(owner, name + "="))
        return interp.ivar_set(f, recv, ivar, args[0])
    return MethodEntry(name + "=", owner, visibility, invoke, "attr_writer", ivar, 1)


def _attr(f: Any, self: RModule, args: list, reader: bool, writer: bool) -> RArray:
    interp = f.interp
    out = RArray()
    visibility = f.visi if f.self_ is self else "public"
    for a in args:
        n = name_arg(f, a)
        if reader:
            interp.add_method(self, attr_reader_entry(interp, self, n, visibility))
            out.append(sym(n))
        if writer:
            interp.add_method(self, attr_writer_entry(interp, self, n, visibility))
            out.append(sym(n + "="))
    return out


@reg.method(M, "attr_reader", "attr", arity=-1)
def attr_reader(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    return _attr(f, self, args, True, False)


@reg.method(M, "attr_writer", arity=-1)
def attr_writer(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    return _attr(f, self, args, False, True)


@reg.method(M, "attr_accessor", arity=-1)
def attr_accessor(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    return _attr(f, self, args, True, True)


# --- visibility -----------------------------------------------------------------------

def _set_visibility(f: Any, self: RModule, args: list, visibility: str) -> Any:
    interp = f.interp
    if not args:
        # `private` with no arguments: later `def`s in this class body.
        if f.self_ is self:
            f.visi = visibility
            f.module_function = False
        return None
    names = args
    if len(args) == 1 and isinstance(args[0], RArray):
        names = list(args[0])
    for a in names:
        n = name_arg(f, a)
        m = interp.find_method(self, n)
        if m is None:
            raise interp.error("NameError",
                               f"undefined method '{n}' for {interp.describe_module(self)}")
        if m.owner is self:
            m.visibility = visibility
            interp.epoch += 1
        else:
            interp.add_method(self, m.copy(owner=self, visibility=visibility))
    return args[0] if len(args) == 1 else RArray(args)


@reg.method(M, "private", arity=-1)
def private(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    return _set_visibility(f, self, args, "private")


@reg.method(M, "public", arity=-1)
def public(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    return _set_visibility(f, self, args, "public")


@reg.method(M, "protected", arity=-1)
def protected(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    return _set_visibility(f, self, args, "protected")


@reg.method(M, "module_function", arity=-1)
def module_function(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    if not args:
        if f.self_ is self:
            f.module_function = True
            f.visi = "private"
        return None
    single = interp.singleton_class(f, self)
    for a in args:
        n = name_arg(f, a)
        m = interp.find_method(self, n)
        if m is None:
            raise interp.error("NameError",
                               f"undefined method '{n}' for {interp.describe_module(self)}")
        interp.add_method(single, m.copy(owner=single, visibility="public"))
        interp.add_method(self, m.copy(owner=self, visibility="private"))
    return args[0] if len(args) == 1 else RArray(args)


@reg.method(M, "private_class_method", arity=-1)
def private_class_method(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    _set_visibility(f, f.interp.singleton_class(f, self), args, "private")
    return None


@reg.method(M, "public_class_method", arity=-1)
def public_class_method(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    _set_visibility(f, f.interp.singleton_class(f, self), args, "public")
    return None


@reg.method(M, "private_constant", "public_constant", arity=-1)
def private_constant(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    return None


# --- defining methods -------------------------------------------------------------------

def define_method_on(f: Any, target: RModule, args: list, blk: Any, visibility: str) -> Any:
    """Module#define_method / Object#define_singleton_method: the body is the
    block (lambda semantics, self = the receiver at call time, §3.4)."""
    interp = f.interp
    n = name_arg(f, args[0])
    body = args[1] if len(args) > 1 else blk
    if body is None:
        raise interp.error("ArgumentError", "tried to create Proc object without a block")
    if isinstance(body, RObject) and body.payload is not None and \
            hasattr(body.payload, "entry"):
        entry = body.payload.entry.copy(name=n, owner=target, visibility=visibility)
        interp.add_method(target, entry)
        return sym(n)
    if not isinstance(body, RProc):
        raise interp.error("TypeError", f"wrong argument type {interp.class_name(body)} "
                           f"(expected Proc/Method/UnboundMethod)")
    entry = MethodEntry(n, target, visibility, None, "proc", body, body.code.arity
                        if body.native is None else -1)
    code = body.code

    def invoke(f2: Any, recv: Any, a: list, kwargs: Any, b: Any) -> Any:
        return code.call_as(body, f2, a, kwargs, b, recv, None, True, entry)
    entry.invoke = invoke
    interp.add_method(target, entry)
    return sym(n)


@reg.method(M, "define_method", arity=(1, 2))
def define_method(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    visibility = f.visi if f.self_ is self else "public"
    return define_method_on(f, self, args, blk, visibility)


@reg.method(M, "alias_method", arity=2)
def alias_method(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    new = name_arg(f, args[0])
    f.interp.alias_method(f, self, new, name_arg(f, args[1]))
    return sym(new)


@reg.method(M, "remove_method", arity=-1)
def remove_method(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    for a in args:
        f.interp.remove_method(f, self, name_arg(f, a))
    return self


@reg.method(M, "undef_method", arity=-1)
def undef_method(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    for a in args:
        f.interp.undef_method(f, self, name_arg(f, a))
    return self


# --- constants and class variables ------------------------------------------------------

def _const_name(f: Any, v: Any) -> str:
    n = name_arg(f, v)
    if not n[:1].isupper():
        raise f.interp.error("NameError", f"wrong constant name {n}")
    return n


@reg.method(M, "const_get", arity=(1, 2))
def const_get(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    path = name_arg(f, args[0])
    inherit = len(args) < 2 or truthy(args[1])
    mod: Any = self
    parts = path.split("::")
    if parts and parts[0] == "":
        mod = interp.Object
        parts = parts[1:]
    for part in parts:
        if not part[:1].isupper():
            raise interp.error("NameError", f"wrong constant name {path}")
        mod = _mod(f, mod)
        if inherit:
            from ..objects import MISSING
            v = interp.const_find(mod, part, inherit_object=True)
            if v is MISSING:
                v = interp.const_missing(f, mod, part)
        else:
            if part not in mod.consts:
                return interp.const_missing(f, mod, part)
            v = mod.consts[part]
        mod = v
    return mod


@reg.method(M, "const_set", arity=2)
def const_set(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    f.interp.const_set(f, self, _const_name(f, args[0]), args[1])
    return args[1]


@reg.method(M, "const_defined?", arity=(1, 2))
def const_defined(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    from ..objects import MISSING
    path = name_arg(f, args[0])
    inherit = len(args) < 2 or truthy(args[1])
    mod: Any = self
    for part in path.split("::"):
        if not isinstance(mod, RModule):
            return False
        if not part[:1].isupper():
            raise interp.error("NameError", f"wrong constant name {path}")
        if inherit:
            v = interp.const_find(mod, part, inherit_object=True)
        else:
            v = mod.consts.get(part, MISSING)
        if v is MISSING:
            return False
        mod = v
    return True


@reg.method(M, "constants", arity=(0, 1))
def constants(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    return RArray(sym(n) for n in self.consts)


@reg.method(M, "remove_const", arity=1, visibility="private")
def remove_const(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    n = name_arg(f, args[0])
    if n not in self.consts:
        raise f.interp.error("NameError", f"constant {f.interp.module_name(self)}::{n} not defined")
    f.interp.const_epoch += 1
    return self.consts.pop(n)


@reg.method(M, "const_missing", arity=1)
def const_missing(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    n = name_arg(f, args[0])
    full = n if self is interp.Object or not self.name else f"{self.name}::{n}"
    raise interp.error("NameError", f"uninitialized constant {full}")


@reg.method(M, "class_variable_get", arity=1)
def cvar_get(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    n = name_arg(f, args[0])
    holder = f.interp.cvar_holder(self, n)
    if holder is None:
        raise f.interp.error("NameError", f"uninitialized class variable {n} in "
                             f"{f.interp.module_name(self)}")
    return holder.cvars[n]


@reg.method(M, "class_variable_set", arity=2)
def cvar_set(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    n = name_arg(f, args[0])
    holder = f.interp.cvar_holder(self, n) or self
    holder.cvars[n] = args[1]
    return args[1]


@reg.method(M, "class_variable_defined?", arity=1)
def cvar_defined(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    return f.interp.cvar_holder(self, name_arg(f, args[0])) is not None


@reg.method(M, "class_variables", arity=(0, 1))
def cvars(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    out: dict[str, None] = {}
    for m in f.interp.ancestors(self):
        for n in m.cvars:
            out.setdefault(n, None)
    return RArray(sym(n) for n in out)


# --- class_eval and friends --------------------------------------------------------------

@reg.method(M, "class_eval", "module_eval", "class_exec", "module_exec", arity=-1, kw=True)
def class_eval(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    if blk is None:
        if not args:
            raise f.interp.error("ArgumentError", "wrong number of arguments (given 0, "
                                 "expected 1..3)")
        from .kernel import eval_string_in
        return eval_string_in(f, self, args, self)
    return blk.code.call_as(blk, f, list(args) or [self], kw, None, self, self)


@reg.method(M, "freeze", arity=0)
def freeze(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    self.frozen = True
    return self


@reg.method(M, "module_function?", arity=0, visibility="private")
def _mf(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    return f.module_function


@reg.smethod(M, "nesting", arity=0)
def nesting(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    out = RArray()
    from ..frame import lexical_cref
    c: Any = lexical_cref(f)
    while c is not None:
        out.append(c.module)
        c = c.parent
    return out


@reg.smethod(M, "new", arity=0)
def module_new(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    mod = interp.new_module(None)
    if blk is not None:
        blk.code.call_as(blk, f, [mod], None, None, mod, mod)
    return mod


# --- Class ------------------------------------------------------------------------------

@reg.method(C, "new", arity=-1, kw=True)
def class_new_instance(f: Any, self: RClass, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    if self.is_singleton:
        raise interp.error("TypeError", "can't create instance of singleton class")
    alloc = self.allocator
    obj = alloc(self) if alloc is not None else None
    if obj is None:
        raise interp.error("NoMethodError",
                           f"undefined method 'new' for class {interp.module_name(self)}")
    init = interp.find_method(self, "initialize")
    if init is not None:
        init.invoke(f, obj, args, kw, blk)
    return obj


@reg.method(C, "allocate", arity=0)
def allocate(f: Any, self: RClass, args: list, kw: Any, blk: Any) -> Any:
    obj = self.allocator(self) if self.allocator is not None else None
    if obj is None:
        raise f.interp.error("TypeError", f"allocator undefined for {f.interp.module_name(self)}")
    return obj


@reg.method(C, "superclass", arity=0)
def superclass(f: Any, self: RClass, args: list, kw: Any, blk: Any) -> Any:
    sup = self.superclass
    while sup is not None and (not sup.is_class or sup.is_singleton and not self.is_singleton):
        sup = sup.superclass
    return sup


@reg.method(C, "class", arity=0)
def class_class(f: Any, self: RClass, args: list, kw: Any, blk: Any) -> Any:
    return f.interp.Class if self.is_class else f.interp.Module


@reg.method(C, "inherited", arity=1, visibility="private")
def inherited(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return None


@reg.method(C, "subclasses", arity=0)
def subclasses(f: Any, self: RClass, args: list, kw: Any, blk: Any) -> Any:
    return RArray(c for c in self.subclasses if not c.is_singleton)


@reg.setup
def _class_new(interp: Any) -> None:
    def new_class(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        sup = args[0] if args else interp.Object
        if not isinstance(sup, RModule) or not sup.is_class:
            raise interp.error("TypeError", f"superclass must be an instance of Class (given "
                               f"an instance of {interp.class_name(sup)})")
        if sup.is_singleton:
            raise interp.error("TypeError", "can't make subclass of singleton class")
        if sup is interp.Class:
            raise interp.error("TypeError", "can't make subclass of Class")
        klass = interp.new_class(None, sup)
        interp._inherited(f, sup, klass)
        if blk is not None:
            blk.code.call_as(blk, f, [klass], None, None, klass, klass)
        return klass
    from ..native import define_native
    define_native(interp, interp.singleton_class(None, interp.Class), "new", new_class,
                  arity=(0, 1), label="Class.new")

