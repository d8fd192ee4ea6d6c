"""pytest entry point (``pytest11``): options, ini keys and markers only."""
