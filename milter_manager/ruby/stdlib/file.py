"""File, Dir, IO, `$stdout`/`$stderr` (`ruby-subset.md` §8.1). Text is UTF-8
with surrogate escapes; line endings are kept as in the file. File system
calls release the interpreter lock (§3.7)."""

from __future__ import annotations

import os
import stat
from typing import Any

from ..errors import RubyError
from ..native import Registry, define_native
from ..objects import RArray, RObject, RString
from . import paths

reg = Registry()


class FileHandle:
    def __init__(self, path: str, fh: Any, mode: str) -> None:
        self.path = path
        self.fh = fh
        self.mode = mode
        self.lineno = 0
        self.closed = False


class StdStream:
    def __init__(self, name: str) -> None:
        self.name = name


def _path(f: Any, v: Any) -> str:
    interp = f.interp
    if isinstance(v, RObject) and isinstance(v.payload, FileHandle):
        return v.payload.path
    if isinstance(v, RString):
        return v.s
    if isinstance(v, RObject) and interp.respond_to(f, v, "to_path", True):
        return interp.to_str(f, interp.send(f, v, "to_path", []))
    return interp.to_str(f, v)


def _open(f: Any, path: str, mode: str) -> Any:
    interp = f.interp
    pymode = {"r": "r", "w": "w", "a": "a", "r+": "r+", "w+": "w+", "a+": "a+",
              "rb": "r", "wb": "w", "ab": "a", "rt": "r", "wt": "w"}.get(mode.split(":")[0])
    if pymode is None:
        raise interp.error("ArgumentError", f"invalid access mode {mode}")
    try:
        with interp.released():
            # The handle outlives this function (a File object owns it).
            fh = open(path, pymode, encoding="utf-8", errors="surrogateescape",  # noqa: SIM115
                      newline="")
    except OSError as e:
        raise interp.errno_error(f, e, "rb_sysopen", path) from None
    return fh


def _read_all(f: Any, path: str) -> str:
    interp = f.interp
    if os.path.isdir(path):
        import errno
        raise interp.errno_error(f, IsADirectoryError(errno.EISDIR, "dir"), "io_fread", path)
    fh = _open(f, path, "r")
    try:
        with interp.released():
            return fh.read()
    except IsADirectoryError as e:
        raise interp.errno_error(f, e, "io_fread", path) from None
    except OSError as e:
        raise interp.errno_error(f, e, "io_fread", path) from None
    finally:
        fh.close()


def _split_lines(text: str, chomp: bool) -> list[str]:
    from ..core.string_text import each_line
    return each_line(text, "\n", chomp)


def _chomp_kw(f: Any, kw: Any) -> bool:
    from ..core.util import sym, truthy
    return kw is not None and truthy(kw.get(sym("chomp")))


def new_file(f: Any, path: str, mode: str) -> RObject:
    return RObject(f.interp.Object.consts["File"], FileHandle(path, _open(f, path, mode), mode))


@reg.setup
def _setup(interp: Any) -> None:
    io = interp.new_class("IO", interp.Object)
    interp.Object.consts["IO"] = io
    io.includes.append(interp.Enumerable)
    file = interp.new_class("File", io)
    interp.Object.consts["File"] = file
    file.consts["SEPARATOR"] = RString("/", frozen=True)
    file.consts["ALT_SEPARATOR"] = None
    file.consts["PATH_SEPARATOR"] = RString(":", frozen=True)
    dir_ = interp.new_class("Dir", interp.Object)
    interp.Object.consts["Dir"] = dir_
    stdout = RObject(io, StdStream("stdout"))
    stderr = RObject(io, StdStream("stderr"))
    stdin = RObject(io, StdStream("stdin"))
    interp.Object.consts.update({"STDOUT": stdout, "STDERR": stderr, "STDIN": stdin})
    interp.gvars.update({"$stdout": stdout, "$stderr": stderr, "$stdin": stdin,
                         "$/": RString("\n", frozen=True), "$,": None, "$;": None,
                         "$_": None, "$DEBUG": False, "$VERBOSE": False,
                         "$LOAD_PATH": RArray(), "$:": RArray(),
                         "$LOADED_FEATURES": RArray(), '$"': RArray()})
    _file_class_methods(interp, file)
    _dir_class_methods(interp, dir_)


def _file_class_methods(interp: Any, file: Any) -> None:
    single = interp.singleton_class(None, file)

    def d(names: str, fn: Any, arity: Any, kw: bool = False) -> None:
        for n in names.split():
            define_native(interp, single, n, fn, arity=arity, kw=kw, label=f"File.{n}")

    def join(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        parts: list[str] = []

        def flat(items: list) -> None:
            for x in items:
                if isinstance(x, RArray):
                    flat(list(x))
                else:
                    parts.append(_path(f, x))
        flat(args)
        return RString(paths.join(parts))

    def dirname(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return RString(paths.dirname(_path(f, args[0])))

    def basename(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        suffix = interp.to_str(f, args[1]) if len(args) > 1 else None
        return RString(paths.basename(_path(f, args[0]), suffix))

    def extname(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return RString(paths.extname(_path(f, args[0])))

    def split(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        p = _path(f, args[0])
        return RArray([RString(paths.dirname(p)), RString(paths.basename(p))])

    def expand_path(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        base = _path(f, args[1]) if len(args) > 1 and args[1] is not None else None
        try:
            return RString(paths.expand_path(_path(f, args[0]), base))
        except KeyError as e:
            raise interp.error("ArgumentError", e.args[0]) from None

    def absolute_path(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        p = _path(f, args[0])
        base = _path(f, args[1]) if len(args) > 1 and args[1] is not None else os.getcwd()
        return RString(paths.normalize(p if p.startswith("/") else base + "/" + p))

    def absolute_p(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return _path(f, args[0]).startswith("/")

    def test(fn: Any) -> Any:
        def native(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
            p = _path(f, args[0])
            with interp.released():
                return bool(fn(p))
        return native

    def size(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        p = _path(f, args[0])
        try:
            return os.stat(p).st_size
        except OSError as e:
            raise interp.errno_error(f, e, "rb_file_s_size", p) from None

    def size_p(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        try:
            n = os.stat(_path(f, args[0])).st_size
        except OSError:
            return None
        return n or None

    def mtime(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        p = _path(f, args[0])
        try:
            t = os.stat(p).st_mtime
        except OSError as e:
            raise interp.errno_error(f, e, "rb_file_s_mtime", p) from None
        from .time import make_time
        return make_time(interp, t)

    def read(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return RString(_read_all(f, _path(f, args[0])))

    def readlines(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        text = _read_all(f, _path(f, args[0]))
        return RArray(RString(x) for x in _split_lines(text, _chomp_kw(f, kw)))

    def foreach(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        text = _read_all(f, _path(f, args[0]))
        lines = [RString(x) for x in _split_lines(text, _chomp_kw(f, kw))]
        if blk is None:
            from ..core.util import enum_for
            return enum_for(f, RArray(lines), "each", [])
        for line in lines:
            blk.code.call(blk, f, [line], None)
        return None

    def write(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        p = _path(f, args[0])
        data = interp.to_s(f, args[1])
        fh = _open(f, p, "w")
        with interp.released():
            fh.write(data)
            fh.close()
        return len(data.encode("utf-8", "surrogateescape"))

    def open_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        p = _path(f, args[0])
        mode = interp.to_str(f, args[1]) if len(args) > 1 and args[1] is not None else "r"
        try:
            obj = new_file(f, p, mode)
        except RubyError as e:
            # Ruby 3.4: File#initialize called from IO.open.
            code = f.code
            e.exc.bt = [f"{code.file if code else '-'}:{f.line}:in 'File#initialize'"] + \
                interp.backtrace(f, "IO.open")
            raise
        if blk is None:
            return obj
        try:
            return blk.code.call(blk, f, [obj], None)
        finally:
            obj.payload.fh.close()
            obj.payload.closed = True

    def delete(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        for a in args:
            p = _path(f, a)
            try:
                os.unlink(p)
            except OSError as e:
                raise interp.errno_error(f, e, "apply2files", p) from None
        return len(args)

    def rename(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        a, b = _path(f, args[0]), _path(f, args[1])
        try:
            os.rename(a, b)
        except OSError as e:
            raise interp.errno_error(f, e, "rb_file_s_rename", f"({a}, {b})") from None
        return 0

    def chmod(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        mode = interp.to_int(f, args[0])
        for a in args[1:]:
            p = _path(f, a)
            try:
                os.chmod(p, mode)
            except OSError as e:
                raise interp.errno_error(f, e, "apply2files", p) from None
        return len(args) - 1

    def realpath(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        p = _path(f, args[0])
        if not os.path.exists(p):
            raise interp.errno_error(f, FileNotFoundError(2, "x"), "rb_check_realpath_internal", p)
        return RString(os.path.realpath(p))

    def mode_bits(fn: Any) -> Any:
        def native(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
            try:
                st = os.stat(_path(f, args[0]))
            except OSError:
                return False
            return bool(fn(st))
        return native

    d("join", join, -1)
    d("dirname", dirname, (1, 2))
    d("basename", basename, (1, 2))
    d("extname", extname, 1)
    d("split", split, 1)
    d("expand_path", expand_path, (1, 2))
    d("absolute_path", absolute_path, (1, 2))
    d("absolute_path?", absolute_p, 1)
    d("exist?", test(os.path.exists), 1)
    d("file?", test(os.path.isfile), 1)
    d("directory?", test(os.path.isdir), 1)
    d("symlink?", test(os.path.islink), 1)
    d("readable?", test(lambda p: os.access(p, os.R_OK)), 1)
    d("writable?", test(lambda p: os.access(p, os.W_OK)), 1)
    d("executable?", test(lambda p: os.access(p, os.X_OK)), 1)
    d("zero? empty?", test(lambda p: os.path.exists(p) and os.stat(p).st_size == 0), 1)
    d("world_writable?", mode_bits(lambda st: st.st_mode & stat.S_IWOTH), 1)
    d("size", size, 1)
    d("size?", size_p, 1)
    d("mtime", mtime, 1)
    io_single = interp.singleton_class(None, interp.Object.consts["IO"])
    # File.read & co. are IO's class methods in Ruby (backtrace label IO.read).
    for names, fn, arity in (("read", read, (1, 3)), ("readlines", readlines, (1, 2)),
                             ("foreach", foreach, (1, 2)), ("write", write, (2, 3))):
        for n in names.split():
            define_native(interp, io_single, n, fn, arity=arity, kw=True, label=f"IO.{n}")
    d("open new", open_, (1, 3), kw=True)
    d("delete unlink", delete, -1)
    d("rename", rename, 2)
    d("chmod", chmod, (1, -1))
    d("realpath", realpath, (1, 2))


def _dir_class_methods(interp: Any, dir_: Any) -> None:
    single = interp.singleton_class(None, dir_)

    def d(names: str, fn: Any, arity: Any) -> None:
        for n in names.split():
            define_native(interp, single, n, fn, arity=arity, label=f"Dir.{n}")

    def glob(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        pats = list(args[0]) if isinstance(args[0], RArray) else [args[0]]
        out: list[str] = []
        with interp.released():
            for p in pats:
                out.extend(paths.glob(_path(f, p)))
        result = RArray(RString(x) for x in out)
        if blk is not None:
            for x in result:
                blk.code.call(blk, f, [x], None)
            return None
        return result

    def exist(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return os.path.isdir(_path(f, args[0]))

    def listing(with_dots: bool) -> Any:
        def native(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
            p = _path(f, args[0])
            try:
                names = os.listdir(p)
            except OSError as e:
                raise interp.errno_error(f, e, "dir_initialize", p) from None
            if with_dots:
                names = [".", ".."] + names
            return RArray(RString(n) for n in names)
        return native

    def each_child(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        for name in listing(False)(f, self, args, kw, None):
            blk.code.call(blk, f, [name], None)
        return None

    def pwd(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return RString(os.getcwd())

    def mkdir(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        p = _path(f, args[0])
        try:
            os.mkdir(p, interp.to_int(f, args[1]) if len(args) > 1 else 0o777)
        except OSError as e:
            raise interp.errno_error(f, e, "rb_dir_s_mkdir", p) from None
        return 0

    def rmdir(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        p = _path(f, args[0])
        try:
            os.rmdir(p)
        except OSError as e:
            raise interp.errno_error(f, e, "rb_dir_s_rmdir", p) from None
        return 0

    d("glob []", glob, (1, 2))
    d("exist?", exist, 1)
    d("entries", listing(True), 1)
    d("children", listing(False), 1)
    d("each_child", each_child, 1)
    d("pwd getwd", pwd, 0)
    d("mkdir", mkdir, (1, 2))
    d("rmdir delete unlink", rmdir, 1)


# --- File / IO instance methods --------------------------------------------------------

def _handle(f: Any, self: RObject) -> FileHandle:
    h = self.payload
    if not isinstance(h, FileHandle):
        raise f.interp.error("IOError", "not opened")
    if h.closed:
        raise f.interp.error("IOError", "closed stream")
    return h


def _readline(f: Any, h: FileHandle) -> str | None:
    with f.interp.released():
        line = h.fh.readline()
    if not line:
        return None
    h.lineno += 1
    return line


@reg.method("File", "each_line", "each", arity=(0, 1), kw=True)
def each_line(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    h = _handle(f, self)
    chomp = _chomp_kw(f, kw)
    while True:
        line = _readline(f, h)
        if line is None:
            break
        if chomp:
            line = line[:-2] if line.endswith("\r\n") else line.rstrip("\n")
        blk.code.call(blk, f, [RString(line)], None)
    return self


@reg.method("File", "gets", arity=(0, 1))
def gets(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    line = _readline(f, _handle(f, self))
    v = None if line is None else RString(line)
    f.interp.gvars["$_"] = v
    return v


@reg.method("File", "readline", arity=0)
def readline(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    line = _readline(f, _handle(f, self))
    if line is None:
        raise f.interp.error("EOFError", "end of file reached")
    return RString(line)


@reg.method("File", "read", arity=(0, 1))
def read(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    h = _handle(f, self)
    with f.interp.released():
        if args and args[0] is not None:
            data = h.fh.read(f.interp.to_int(f, args[0]))
            return RString(data) if data else None
        return RString(h.fh.read())


@reg.method("File", "readlines", arity=(0, 1), kw=True)
def readlines(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    h = _handle(f, self)
    with f.interp.released():
        text = h.fh.read()
    lines = _split_lines(text, _chomp_kw(f, kw))
    h.lineno += len(lines)
    return RArray(RString(x) for x in lines)


@reg.method("File", "eof?", "eof", arity=0)
def eof(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    h = _handle(f, self)
    pos = h.fh.tell()
    ch = h.fh.read(1)
    if not ch:
        return True
    h.fh.seek(pos)
    return False


@reg.method("File", "close", arity=0)
def close(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    h = self.payload
    if isinstance(h, FileHandle) and not h.closed:
        h.fh.close()
        h.closed = True
    return None


@reg.method("File", "closed?", arity=0)
def closed(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    return bool(getattr(self.payload, "closed", False))


@reg.method("File", "path", "to_path", arity=0)
def path(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    return RString(self.payload.path)


@reg.method("File", "lineno", arity=0)
def lineno(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    return self.payload.lineno


@reg.method("File", "size", arity=0)
def fsize(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    return os.path.getsize(self.payload.path)


def _write_text(f: Any, self: RObject, text: str) -> None:
    p = self.payload
    interp = f.interp
    if isinstance(p, StdStream):
        if p.name == "stderr":
            interp.write_err(text)
        else:
            interp.write_out(text)
        return
    h = _handle(f, self)
    with interp.released():
        h.fh.write(text)


@reg.method("IO", "write", arity=-1)
def write(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    text = "".join(f.interp.to_s(f, a) for a in args)
    _write_text(f, self, text)
    return len(text.encode("utf-8", "surrogateescape"))


@reg.method("IO", "print", arity=-1)
def print_(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    _write_text(f, self, "".join(f.interp.to_s(f, a) for a in args))
    return None


@reg.method("IO", "<<", arity=1)
def shovel(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    _write_text(f, self, f.interp.to_s(f, args[0]))
    return self


@reg.method("IO", "puts", arity=-1)
def puts(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    from ..core.kernel_functions import puts_lines
    if not args:
        _write_text(f, self, "\n")
        return None
    out: list[str] = []
    puts_lines(f, args, out)
    _write_text(f, self, "".join(out))
    return None


@reg.method("IO", "printf", arity=(1, -1))
def printf(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    from ..core.kernel_functions import do_format
    _write_text(f, self, do_format(f, f.interp.to_str(f, args[0]), args[1:]))
    return None


@reg.method("IO", "flush", "fsync", arity=0)
def flush(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    p = self.payload
    interp = f.interp
    if isinstance(p, StdStream):
        (interp.stderr if p.name == "stderr" else interp.stdout).flush()
    elif isinstance(p, FileHandle) and not p.closed:
        p.fh.flush()
    return self


@reg.method("IO", "sync", "tty?", "isatty", arity=0)
def sync(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    return False


@reg.method("IO", "sync=", arity=1)
def set_sync(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    return args[0]


@reg.method("IO", "fileno", arity=0)
def fileno(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    p = self.payload
    if isinstance(p, StdStream):
        return {"stdin": 0, "stdout": 1, "stderr": 2}[p.name]
    return _handle(f, self).fh.fileno()


@reg.method("IO", "inspect", arity=0)
def inspect(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    p = self.payload
    if isinstance(p, StdStream):
        return RString(f"#<IO:<{p.name.upper()}>>")
    if isinstance(p, FileHandle):
        return RString(f"#<File:{p.path}{' (closed)' if p.closed else ''}>")
    return RString(f.interp.default_inspect(f, self))
