"""BasicObject, Object and Kernel's public instance methods (`ruby-subset.md`
§6 Object/Kernel, §10 unsupported features). Kernel's module functions are in
`kernel_functions.py`, `require`/`load` in `require.py`."""

from __future__ import annotations

from typing import Any

from ..frame import SINGLETON_OF_SELF, lexical_cref
from ..native import Registry
from ..objects import (
    RArray,
    RException,
    RHash,
    RModule,
    RObject,
    RProc,
    RRange,
    RString,
    RSymbol,
    object_id,
)
from .util import check_frozen, name_arg, str_arg, sym, truthy

reg = Registry()
K = "Kernel"
B = "BasicObject"

UNSUPPORTED = ["system", "exec", "fork", "spawn", "exit", "exit!", "abort", "at_exit", "trap",
               "eval", "binding", "set_trace_func", "`", "syscall", "open", "gets", "readline",
               "readlines", "select", "test", "autoload", "callcc"]


def not_supported(name: str) -> Any:
    def fn(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        raise f.interp.error("NotImplementedError",
                             f"{name} is not supported by this implementation")
    return fn


@reg.setup
def _unsupported(interp: Any) -> None:
    for name in UNSUPPORTED:
        reg.method(K, name, arity=-1, visibility="private")(not_supported(name))


# --- BasicObject -----------------------------------------------------------------

@reg.method(B, "initialize", arity=-1, visibility="private")
def initialize(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return None


@reg.method(B, "==", "equal?", arity=1)
def identical(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    o = args[0]
    if self.__class__ in (int, float) and o.__class__ is self.__class__:
        return self == o
    return self is o


@reg.method(B, "!", arity=0)
def not_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return not truthy(self)


@reg.method(B, "!=", arity=1)
def not_equal(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return not truthy(f.interp.send(f, self, "==", [args[0]]))


@reg.method(B, "__id__", arity=0)
def obj_id(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return object_id(self)


@reg.method(B, "__send__", arity=(1, -1), kw=True)
def send(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    if not args:
        raise f.interp.error("ArgumentError", "no method name given")
    return f.interp.send(f, self, name_arg(f, args[0]), args[1:], kw, blk)


@reg.method(B, "instance_eval", arity=(0, 3))
def instance_eval(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    if blk is None:
        if not args:
            raise interp.error("ArgumentError", "wrong number of arguments (given 0, expected 1..3)")
        return eval_string_in(f, self, args, SINGLETON_OF_SELF)
    return blk.code.call_as(blk, f, [self], None, None, self, SINGLETON_OF_SELF)


@reg.method(B, "instance_exec", arity=-1, kw=True)
def instance_exec(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    if blk is None:
        raise f.interp.error("LocalJumpError", "no block given (yield)")
    return blk.code.call_as(blk, f, list(args), kw, None, self, SINGLETON_OF_SELF)


def eval_string_in(f: Any, self: Any, args: list, deftarget: Any) -> Any:
    """`obj.instance_eval(string)` / `mod.class_eval(string)` (B, optional)."""
    interp = f.interp
    source = str_arg(f, args[0])
    filename = str_arg(f, args[1]) if len(args) > 1 else "(eval)"
    from ..parser import RubySyntaxError, parse
    try:
        program = parse(source, filename)
    except RubySyntaxError as e:
        raise interp.error("SyntaxError", str(e)) from None
    body, info = interp.compile_program(program, f.code.label if f.code else "<main>")
    fr = interp.Frame()
    fr.self_ = self
    fr.vars = [None] * info.nvars
    fr.home = fr
    fr.ret_target = fr
    fr.prev = f
    fr.ts = f.ts
    fr.code = info
    fr.cref = lexical_cref(f)
    fr.depth = f.depth + 1
    if deftarget is SINGLETON_OF_SELF:
        fr.deftarget = SINGLETON_OF_SELF
    else:
        from ..frame import Cref
        fr.deftarget = deftarget
        fr.cref = Cref(deftarget, lexical_cref(f))
    return body(fr)


@reg.method(B, "method_missing", arity=-1, visibility="private")
def method_missing(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    if not args or not isinstance(args[0], RSymbol):
        raise interp.error("ArgumentError", "no method name given")
    return interp.call_missing(f, self, args[0].name, args[1:], kw, blk,
                               vcall=False, selfcall=False, entry=None,
                               use_method_missing=False)


@reg.method(B, "singleton_method_added", "singleton_method_removed", arity=1,
            visibility="private")
def noop_hook(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return None


# --- Kernel (public instance methods) -------------------------------------------------

@reg.method(K, "send", arity=(1, -1), kw=True)
def kernel_send(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return f.interp.send(f, self, name_arg(f, args[0]), args[1:], kw, blk)


@reg.setup
def _public_send(interp: Any) -> None:
    def public_send(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return f.interp.send(f, self, name_arg(f, args[0]), args[1:], kw, blk,
                             public_only=True)
    reg.method(K, "public_send", arity=(1, -1), kw=True)(public_send)


@reg.method(K, "nil?", arity=0)
def is_nil(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return self is None


@reg.method(K, "eql?", arity=1)
def eql(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    o = args[0]
    if self.__class__ in (int, float):
        return o.__class__ is self.__class__ and o == self
    return self is o


@reg.method(K, "===", arity=1)
def case_equal(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    o = args[0]
    return self is o or f.interp.eq(f, self, o)


@reg.method(K, "=~", arity=1)
def match_nil(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return None


@reg.method(K, "!~", arity=1)
def not_match(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return not truthy(f.interp.send(f, self, "=~", [args[0]]))


@reg.method(K, "hash", arity=0)
def hash_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    if self.__class__ in (int, float, RSymbol) or self is None or self is True or self is False:
        return hash(f.interp.hkey(self)) & 0x3FFFFFFFFFFFFFFF
    return object_id(self) * 2654435761 & 0x3FFFFFFFFFFFFFFF


@reg.method(K, "object_id", arity=0)
def object_id_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return object_id(self)


@reg.method(K, "class", arity=0)
def class_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return f.interp.real_class(self)


@reg.method(K, "singleton_class", arity=0)
def singleton_class(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return f.interp.singleton_class(f, self)


@reg.method(K, "is_a?", "kind_of?", arity=1)
def is_a(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    mod = args[0]
    if not isinstance(mod, RModule):
        raise f.interp.error("TypeError", "class or module required")
    return f.interp.is_a(self, mod)


@reg.method(K, "instance_of?", arity=1)
def instance_of(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    mod = args[0]
    if not isinstance(mod, RModule):
        raise f.interp.error("TypeError", "class or module required")
    return f.interp.real_class(self) is mod


@reg.method(K, "respond_to?", arity=(1, 2))
def respond_to(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    a = args[0]
    name = a.name if a.__class__ is RSymbol else name_arg(f, a)
    include_all = len(args) > 1 and truthy(args[1])
    cls = interp.class_of(self)
    m = interp.find_method(cls, name)
    if m is not None:
        return include_all or m.visibility == "public"
    rtm = interp.find_method(cls, "respond_to_missing?")
    if rtm is None or rtm.kind == "native":
        return False
    return interp.respond_to(f, self, name, include_all)


@reg.method(K, "respond_to_missing?", arity=2, visibility="private")
def respond_to_missing(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return False


@reg.method(K, "freeze", arity=0)
def freeze(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    if hasattr(self, "frozen") and not isinstance(self, RSymbol):
        try:
            self.frozen = True
        except AttributeError:
            pass
    return self


@reg.method(K, "frozen?", arity=0)
def frozen(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    if self is None or self is True or self is False or self.__class__ in (int, float, RSymbol):
        return True
    return bool(getattr(self, "frozen", False))


def copy_object(f: Any, self: Any, keep_frozen: bool) -> Any:
    interp = f.interp
    if self is None or self is True or self is False or self.__class__ in (int, float, RSymbol):
        return self
    if isinstance(self, (RModule, RProc)) and not keep_frozen and isinstance(self, RModule):
        pass
    cls = interp.real_class(self)
    if isinstance(self, RString):
        new: Any = RString(self.s)
    elif isinstance(self, RArray):
        new = RArray(self)
    elif isinstance(self, RHash):
        new = RHash()
        new.d = dict(self.d)
        new.default = self.default
        new.default_proc = self.default_proc
    elif isinstance(self, RException):
        new = RException(cls, self.msg)
        new.bt = self.bt
        new.extra = getattr(self, "extra", None)
    elif isinstance(self, RObject):
        new = RObject(cls, self.payload)
    elif isinstance(self, RRange):
        new = RRange(self.low, self.high, self.excl)
    elif isinstance(self, RModule):
        new = self.__class__(None, self.superclass) if self.is_class else RModule(None)
        new.interp = interp
        new.methods = dict(self.methods)
        new.consts = dict(self.consts)
        new.includes = list(self.includes)
        new.allocator = self.allocator
        interp.epoch += 1
        return new
    elif isinstance(self, RProc):
        new = RProc(self.code, self.frame, self.self_, self.is_lambda)
        new.native = self.native
        return new
    else:
        return self
    if getattr(self, "cls", None) is not None and not (self.cls.is_singleton):
        new.cls = self.cls
    elif getattr(self, "cls", None) is not None and self.cls.is_singleton and not keep_frozen:
        new.cls = cls if cls is not interp.tcls.get(type(self)) else None
    if self.ivars:
        new.ivars = dict(self.ivars)
    if keep_frozen:
        if self.cls is not None and self.cls.is_singleton:
            single = interp.singleton_class(f, new)
            single.methods.update(self.cls.methods)
            single.includes.extend(self.cls.includes)
        if self.frozen:
            new.frozen = True
    init = interp.find_method(interp.class_of(new), "initialize_copy")
    if init is not None and init.kind != "native":
        init.invoke(f, new, [self], None, None)
    return new


@reg.method(K, "dup", arity=0)
def dup(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return copy_object(f, self, False)


@reg.method(K, "clone", arity=0, kw=True)
def clone(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    keep = True
    if kw is not None and kw.has(sym("freeze")) and kw.get(sym("freeze")) is False:
        keep = False
    return copy_object(f, self, keep)


@reg.method(K, "initialize_copy", "initialize_dup", "initialize_clone", arity=1,
            visibility="private")
def initialize_copy(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return self


@reg.method(K, "tap", arity=0)
def tap(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    if blk is None:
        raise f.interp.error("LocalJumpError", "no block given (yield)")
    blk.code.call(blk, f, [self], None)
    return self


@reg.method(K, "then", "yield_self", arity=0)
def then(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    if blk is None:
        from .util import enum_for
        return enum_for(f, self, "then", [])
    return blk.code.call(blk, f, [self], None)


@reg.method(K, "itself", arity=0)
def itself(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return self


@reg.method(K, "to_s", arity=0)
def to_s(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return RString(f.interp.any_to_s(self) if isinstance(self, (RObject, RException, RModule))
                   else f"#<{f.interp.class_name(self)}>")


@reg.method(K, "inspect", arity=0)
def inspect(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    if isinstance(self, RObject):
        # Kernel#inspect uses to_s only if the class overrides to_s? No:
        # Ruby 3.1 prints the ivars form; an object without ivars prints to_s's default.
        return RString(interp.default_inspect(f, self))
    return RString(interp.to_s(f, self))


@reg.method(K, "instance_variable_get", arity=1)
def ivar_get(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    name = ivar_name(f, args[0])
    return f.interp.ivar_get(self, name)


@reg.method(K, "instance_variable_set", arity=2)
def ivar_set(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    name = ivar_name(f, args[0])
    return f.interp.ivar_set(f, self, name, args[1])


@reg.method(K, "instance_variable_defined?", arity=1)
def ivar_defined(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    iv = getattr(self, "ivars", None)
    return bool(iv) and ivar_name(f, args[0]) in iv


@reg.method(K, "remove_instance_variable", arity=1)
def ivar_remove(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    name = ivar_name(f, args[0])
    iv = getattr(self, "ivars", None)
    if not iv or name not in iv:
        raise f.interp.error("NameError", f"instance variable {name} not defined")
    check_frozen(f, self)
    return iv.pop(name)


@reg.method(K, "instance_variables", arity=0)
def ivars(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    iv = getattr(self, "ivars", None) or {}
    return RArray(sym(k) for k in iv)


def ivar_name(f: Any, v: Any) -> str:
    name = name_arg(f, v)
    if not name.startswith("@") or name.startswith("@@") or len(name) < 2:
        raise f.interp.error("NameError", f"'{name}' is not allowed as an instance variable name")
    return name


@reg.method(K, "define_singleton_method", arity=(1, 2))
def define_singleton_method(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    from .module import define_method_on
    single = f.interp.singleton_class(f, self)
    return define_method_on(f, single, args, blk, "public")


@reg.method(K, "singleton_methods", arity=(0, 1))
def singleton_methods(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    c = getattr(self, "cls", None)
    if c is None or not c.is_singleton:
        return RArray()
    return RArray(sym(n) for n, m in c.methods.items()
                  if hasattr(m, "visibility") and m.visibility != "private")


@reg.method(K, "methods", "public_methods", arity=(0, 1))
def methods(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    seen: dict[str, None] = {}
    for mod in interp.ancestors(interp.class_of(self)):
        for n, m in mod.methods.items():
            if hasattr(m, "visibility") and m.visibility != "private" and n not in seen:
                seen[n] = None
    return RArray(sym(n) for n in seen)


@reg.method(K, "method", "public_method", arity=1)
def method(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    from .proc import make_method_object
    return make_method_object(f, self, name_arg(f, args[0]))


@reg.method(K, "extend", arity=(1, -1))
def extend(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    single = interp.singleton_class(f, self)
    for mod in args:
        if not isinstance(mod, RModule) or mod.is_class:
            raise interp.error("TypeError", f"wrong argument type {interp.class_name(mod)} "
                               f"(expected Module)")
        if mod not in single.includes:
            single.includes.append(mod)
        interp.epoch += 1
        hook = interp.find_method(interp.class_of(mod), "extended")
        if hook is not None and hook.kind != "native":
            hook.invoke(f, mod, [self], None, None)
    return self


@reg.method(K, "enum_for", "to_enum", arity=-1)
def enum_for_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    from .util import enum_for
    meth = name_arg(f, args[0]) if args else "each"
    return enum_for(f, self, meth, args[1:])


@reg.method(K, "display", arity=0)
def display(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    f.interp.write_out(f.interp.to_s(f, self))
    return None


@reg.setup
def _main_object(interp: Any) -> None:
    main = interp.main_object

    def main_to_s(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return RString("main")
    single = interp.singleton_class(None, main)
    from ..native import define_native
    define_native(interp, single, "to_s", main_to_s, arity=0, label="main.to_s")
    define_native(interp, single, "inspect", main_to_s, arity=0, label="main.inspect")
