"""Imported only by the fork server of the extraction pool (`pipeline.extract.pool._pool_context`).

Loading the language model takes about a second; done here once, every worker forked from the
server starts with it already in memory (shared copy-on-write) instead of loading its own, which
keeps recycling workers cheap.
"""

from pipeline.extract.pool import warm_up

warm_up()
