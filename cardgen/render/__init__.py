"""Renderers: question bank → outputs. They know nothing of Markdown tokens."""
