"""Helpers shared by the test suite (Go toolchain, target programs)."""
