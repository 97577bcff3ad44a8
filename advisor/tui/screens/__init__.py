"""The TUI's screens: start, question, review, results, save."""
