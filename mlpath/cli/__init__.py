"""The thin command-line layer: parse, call one service function, render."""
