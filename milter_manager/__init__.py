"""A drop-in Python replacement for milter-manager."""

VERSION = "2.3.2"
