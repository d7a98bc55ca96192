"""The offline replay site: the bundled corpus served as a set of outlet websites."""
