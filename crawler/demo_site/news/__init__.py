"""Package data: the bundled sample site served by `gleaner demo` (not code)."""
