"""Services used by several blueprints and the command line: they change and flush, never commit."""
