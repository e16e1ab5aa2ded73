"""The configuration DSL bound onto the Ruby interpreter (config.md §4–§11).

`session.RubySession` runs one load cycle's files; `objects` defines the
Ruby-visible DSL objects (section loaders, milter and condition loaders, the
configuration object); `convert` maps Ruby values to the model's plain values.
"""
