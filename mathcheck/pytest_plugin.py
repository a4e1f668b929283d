"""pytest plugin (see issue: regression testing)."""
