"""Widgets shared by the TUI's screens: the live panel and the cost chart."""
