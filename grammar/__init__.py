# The lark grammar of the Ruby subset (ruby.lark), installed as
# milter_manager.grammar so the package can find it with importlib.resources.
