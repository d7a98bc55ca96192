"""NLP resources of pantau and how they are built and loaded (gazetteer, lexicons, spaCy assembly, embedding models)."""
