"""The desktop GUI (PySide6). It renders the store's state and sends the user's intent
to ``desktop.core``; it never holds SQL, and nothing in ``desktop.core`` imports it."""
