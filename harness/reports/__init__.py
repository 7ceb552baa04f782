"""Reports that summarize many grades (the roster scoreboard)."""
