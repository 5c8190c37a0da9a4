"""The engine: load rules, run them over the platform model, turn violations into findings."""
