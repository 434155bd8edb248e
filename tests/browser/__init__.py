"""Browser tests of the reader's edition."""
