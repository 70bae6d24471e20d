"""Interchange with other qualitative analysis tools (NVivo, ATLAS.ti, MAXQDA, QualCoder)
through the REFI-QDA standard: codebooks (.qdc) and whole coded projects (.qdpx)."""
