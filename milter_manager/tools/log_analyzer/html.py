"""`index.html` (tools.md §4.6): the page that shows the graphs.

The markup is ours (plain HTML5, no JavaScript); kept from upstream are the
title and heading, the refresh every 300 seconds, no caching, the index of
ranges and graphs, and the anchor IDs, so bookmarks carry over.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SEPARATORS = re.compile(r"[ :]+")


def normalize(text: str) -> str:
    """Lower case, every run of spaces and colons replaced by one `-`."""
    return _SEPARATORS.sub("-", text.lower())


def escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


@dataclass(frozen=True)
class Entry:
    """One graph on the page: its title and image base name."""

    title: str
    base: str


def render(ranges: list[tuple[str, list[Entry]]], formats: list[str]) -> str:
    """The page for (range label, graphs) in order; ranges without graphs are left out."""
    ranges = [(label, entries) for label, entries in ranges if entries]
    image = "png" if "png" in formats else "svg"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta http-equiv="refresh" content="300">',
        '<meta http-equiv="Cache-Control" content="no-cache, no-store, must-revalidate">',
        '<meta http-equiv="Pragma" content="no-cache">',
        '<meta http-equiv="Expires" content="0">',
        "<title>milter-manager statistics</title>",
        ("<style>body{font-family:sans-serif} img{display:block} "
        "p.graph{margin:1em 0}</style>"),
        "</head>",
        "<body>",
        "<h1>milter-manager statistics</h1>",
        '<nav id="index">',
        "<ul>",
    ]
    for label, entries in ranges:
        rid = normalize(label)
        out.append(f'<li><a href="#{escape(rid)}">{escape(label)}</a>')
        out.append("<ul>")
        for entry in entries:
            gid = f"{rid}-{normalize(entry.title)}"
            out.append(f'<li><a href="#{escape(gid)}">{escape(entry.title)}</a></li>')
        out.append("</ul>")
        out.append("</li>")
    out += ["</ul>", "</nav>"]
    for label, entries in ranges:
        rid = normalize(label)
        out.append(f'<h2 id="{escape(rid)}">{escape(label)}</h2>')
        for entry in entries:
            # §4.6: the GID attribute is written unescaped, as upstream does.
            gid = f"{rid}-{normalize(entry.title)}"
            base = escape(entry.base)
            line = (f'<p id="{gid}" class="graph"><img src="{base}.{image}" '
                    f'alt="{escape(entry.title)}">')
            if "svg" in formats and image != "svg":
                line += f' <a href="{base}.svg">SVG</a>'
            out.append(line + "</p>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"
