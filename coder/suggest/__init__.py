"""Code suggestions: features, model, training, explanations and active learning (headless)."""
