"""resolve_path and Ruby glob syntax (config.md §2.3)."""

import os

import pytest

from milter_manager.config.paths import expand_braces, glob, resolve_path


def touch(path, text=""):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def tree(tmp_path):
    for name in ["a/x.conf", "a/y.conf", "a/.hidden.conf", "a/z.txt", "a/B.conf",
                 "a/sub/deep.conf", "a/sub/more/deeper.conf", "a/.dot/in-dot.conf",
                 "b/x.conf", "b/only-b.conf", "c/d/e.conf", "a/[x].conf", "a/q1.conf",
                 "a/q22.conf"]:
        touch(tmp_path / name)
    (tmp_path / "a" / "dir.conf").mkdir()
    return tmp_path


def rel(paths, base):
    return [os.path.relpath(p, base) for p in paths]


def test_brace_expansion():
    assert expand_braces("a{b,c}d") == ["abd", "acd"]
    assert expand_braces("{a,{b,c}}x") == ["ax", "bx", "cx"]
    assert expand_braces(r"a\{b,c}") == [r"a\{b,c}"]
    assert expand_braces("a{b}c") == ["abc"]


def test_star_skips_dot_files_and_sorts_bytewise(tree):
    assert rel(glob(f"{tree}/a/*.conf"), tree) == [
        "a/B.conf", "a/[x].conf", "a/dir.conf", "a/q1.conf", "a/q22.conf",
        "a/x.conf", "a/y.conf"]


def test_explicit_dot_matches_dot_files(tree):
    assert rel(glob(f"{tree}/a/.*.conf"), tree) == ["a/.hidden.conf"]


def test_question_mark_set_and_negation(tree):
    assert rel(glob(f"{tree}/a/q?.conf"), tree) == ["a/q1.conf"]
    assert rel(glob(f"{tree}/a/[xy].conf"), tree) == ["a/x.conf", "a/y.conf"]
    assert rel(glob(f"{tree}/a/[!xy].conf"), tree) == ["a/B.conf"]
    assert rel(glob(f"{tree}/a/[^a-z].conf"), tree) == ["a/B.conf"]


def test_escape(tree):
    assert rel(glob(f"{tree}/a/\\[x\\].conf"), tree) == ["a/[x].conf"]


def test_braces_in_glob(tree):
    assert rel(glob(f"{tree}/{{a,b}}/x.conf"), tree) == ["a/x.conf", "b/x.conf"]


def test_double_star_recurses_but_not_into_dot_dirs(tree):
    assert rel(glob(f"{tree}/a/**/*.conf"), tree) == [
        "a/B.conf", "a/[x].conf", "a/dir.conf", "a/q1.conf", "a/q22.conf",
        "a/sub/deep.conf", "a/sub/more/deeper.conf", "a/x.conf", "a/y.conf"]


def test_relative_glob_in_every_load_path(tree):
    found = resolve_path("*.conf", [str(tree / "a"), str(tree / "b")])
    # directories are not files to load; the next load path is still searched
    assert rel(found, tree) == [
        "a/B.conf", "a/[x].conf", "a/q1.conf", "a/q22.conf", "a/x.conf", "a/y.conf",
        "b/only-b.conf", "b/x.conf"]


def test_existing_file_stops_the_search(tree):
    assert rel(resolve_path("x.conf", [str(tree / "a"), str(tree / "b")]), tree) == ["a/x.conf"]
    assert rel(resolve_path("only-b.conf", [str(tree / "a"), str(tree / "b")]), tree) == [
        "b/only-b.conf"]


def test_directory_gives_its_files_including_dot_files(tree):
    assert rel(resolve_path("a", [str(tree)]), tree) == [
        "a/.hidden.conf", "a/B.conf", "a/[x].conf", "a/q1.conf", "a/q22.conf",
        "a/x.conf", "a/y.conf", "a/z.txt"]


def test_absolute_paths_are_resolved_like_relative_ones(tree):
    assert resolve_path(f"{tree}/a/q*.conf", []) == [f"{tree}/a/q1.conf", f"{tree}/a/q22.conf"]
    assert resolve_path(f"{tree}/a/missing.conf", []) == []
    assert resolve_path(f"{tree}/c/d", []) == [f"{tree}/c/d/e.conf"]


def test_spelling_is_kept_and_duplicates_are_dropped(tree):
    spelled = f"{tree}/c/../a"
    found = resolve_path("x.conf", [spelled])
    assert found == [f"{spelled}/x.conf"]
    os.symlink(tree / "a" / "x.conf", tree / "b" / "link.conf")
    found = resolve_path("*.conf", [str(tree / "b"), str(tree / "a")])
    # a/x.conf is the file b/link.conf points to: loaded once, first spelling
    assert rel(found, tree) == ["b/link.conf", "b/only-b.conf", "b/x.conf", "a/B.conf",
                                "a/[x].conf", "a/q1.conf", "a/q22.conf", "a/y.conf"]


def test_nothing_found(tree):
    assert resolve_path("nope/*.conf", [str(tree)]) == []
