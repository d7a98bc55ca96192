"""pantau: monitoring Indonesian news coverage of digital-literacy campaigns.

The folders are the layers (docs/architecture.md); each imports only from the layers below it:
pantau.core -> pantau.store -> models, crawlers, pipeline -> pantau.read -> web, flows, pantau.cli.
"""

__version__ = "0.1.0"
