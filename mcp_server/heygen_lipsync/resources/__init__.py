"""Thin typed calls of the generated client."""
