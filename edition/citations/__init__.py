"""Citations: Pandoc citation syntax, literature through pybtex, archival units."""
