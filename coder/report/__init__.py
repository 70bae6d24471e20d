"""Reports for leads: frequencies, cross-tabs, co-occurrence, quotes, charts and export."""
