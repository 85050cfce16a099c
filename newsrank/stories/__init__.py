"""Stories: the posts of many outlets that report one event, grouped (pure grouping core)."""
