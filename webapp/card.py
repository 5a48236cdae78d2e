"""The customer card is made of sections that different blueprints provide.

A blueprint registers a function that returns the template context its section needs;
the card view merges them all, so each section renders on the full page (no JavaScript
needed), and the section's own routes re-render just that section for htmx.
"""

CARD_SECTIONS = {}


def card_section(name: str):
    """Register fn(company) -> dict as the context provider of a card section."""

    def decorator(fn):
        CARD_SECTIONS[name] = fn
        return fn

    return decorator


def card_context(company) -> dict:
    context = {}
    for provider in CARD_SECTIONS.values():
        context.update(provider(company))
    return context
