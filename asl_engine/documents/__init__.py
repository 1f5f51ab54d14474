"""Reading the user's text: JSON and YAML with positions, JSON pointers.

Shared by everything that reads a user's file (definitions, mock configs)
so that each reports syntax problems the same way: a ``Diagnostic`` with
``line:column`` and a JSON pointer.
"""
