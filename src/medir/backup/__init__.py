"""Online backup of a data folder into one file, and its restore."""
