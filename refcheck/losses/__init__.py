"""Loss-input contracts of every torch.nn loss, their probe, explanations and site tables."""
