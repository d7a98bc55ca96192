"""Words that tell a person's name from an organisation's, shared by the stages that look for people:
the bylines of `pipeline.extract.authors` and the people of `pipeline.nlp.people`. Each stage adds the
words that only its own kind of text needs, and says why there."""

from __future__ import annotations

# Words of the name of a media outlet, a company group or a team ("Kompas TV", "Detik News", "MNC Group",
# "Tim Redaksi"): a name with one of them is an organisation's, in a byline and in running text alike.
ORGANIZATION_WORDS = frozenset({"media", "news", "tv", "channel", "online", "magazine", "group", "grup", "tim"})
