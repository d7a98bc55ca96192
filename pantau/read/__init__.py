"""The read side: queries over the store, exports and the weekly digest. Reads articles and tags;
never crawls or processes."""
