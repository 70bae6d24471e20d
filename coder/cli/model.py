"""Commands for the suggestion model: train, suggest, evaluate."""
