"""The armorer's screens, one module each."""
