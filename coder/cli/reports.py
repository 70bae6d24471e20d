"""Commands for leads: report and export."""
