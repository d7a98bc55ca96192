"""The process stage: stored pages -> articles with tags (extract, clean, language, NLP, embeddings,
campaign matching, dedup). Reads pages from the store and writes articles; never fetches."""
