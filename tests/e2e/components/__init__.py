"""Start, wait for and stop the real components of the end-to-end tests.

Each module wraps one component (Postfix, the sink, a child milter, Sendmail,
the manager under test). Everything runs on loopback with a private
configuration under a pytest tmp dir; every process is recorded by pid and
stopped by that pid (real-components.md, conventions).
"""
