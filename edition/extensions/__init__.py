"""Python-Markdown extensions for the edition's syntax.

Each follows the library's own extension API (processors registered by
name and priority, per-document state cleared in ``reset()``) and records
what it finds as plain data on the extension, for the resolve stage.
"""
