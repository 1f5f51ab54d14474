"""Bundled state machines and the workers that run their Task states."""
