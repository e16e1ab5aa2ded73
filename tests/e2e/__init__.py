"""End-to-end tests: real MTAs and real milters on loopback (real-components.md)."""
