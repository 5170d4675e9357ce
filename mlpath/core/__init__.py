"""The pure core: no database, no terminal, no file I/O. Time comes in as an argument."""
