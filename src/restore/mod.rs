//! Rule files: parsing, validating, diffing against the live table, applying.
