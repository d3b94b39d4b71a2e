"""A skeleton a new broker adapter copies (`cp -r _template <broker>`); not a venue, never registered."""
